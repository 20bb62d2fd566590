"""Preparing a Lambda authorizer's invocation: the steps REST and HTTP APIs take alike.

For a REQUEST authorizer a missing identity source is a 401 without calling the function, and the identity
values are the cache key. The API kinds differ in identity source syntax, event shape, default TTL and the
error a missing authorizerUri is, so callers pass those in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.gateway.events import RequestInfo
from localcloud.gateway.pipeline import Refused, function_of
from localcloud.model import Deployment


@dataclass(frozen=True)
class AuthorizerCall:
    """One invocation of a Lambda authorizer; `identity` keys its cache, a `ttl` of 0 keeps it uncached."""

    function: str
    event: dict[str, Any]
    identity: tuple[str, ...]
    ttl: int


def authorizer_function(name: str, spec: dict, missing_kind: str) -> str:
    """The function `authorizerUri` names; REST and HTTP APIs refuse a missing one with different kinds."""
    function = function_of(spec.get("authorizerUri"))
    if not function:
        raise Refused(missing_kind, f"authorizer {name} has no Lambda authorizerUri")
    return function


def execute_api_arn(deployment: Deployment, info: RequestInfo) -> str:
    """The request's ARN (methodArn, routeArn) that an authorizer's policy is evaluated against."""
    prefix = f"arn:aws:execute-api:{deployment.region}:{deployment.account_id}"
    return f"{prefix}:{info.api_id}/{info.stage}/{info.method}{info.path}"


def request_authorizer_call(
    name: str,
    spec: dict,
    sources: list[str],
    *,
    identity_of: Callable[[str], str | None],
    event_for: Callable[[list[str]], dict[str, Any]],
    ttl_of: Callable[[dict], int],
    missing_uri_kind: str,
) -> AuthorizerCall:
    """How to invoke the REQUEST authorizer `name` for this request, or Refused when an identity source is missing."""
    identity = []
    for source in sources:
        value = identity_of(source)
        if value is None:
            raise Refused("UNAUTHORIZED", f"authorizer {name}: identity source {source} is missing")
        identity.append(value)
    function = authorizer_function(name, spec, missing_uri_kind)
    return AuthorizerCall(function, event_for(identity), tuple(identity), ttl_of(spec) if identity else 0)
