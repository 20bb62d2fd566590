"""What a behaviour's ids point at: the template's policies and CloudFront Functions, else AWS's managed ones.

Built once per deployment. A behaviour with no cache policy uses its legacy settings (ForwardedValues
and the TTLs), as CloudFront does; an id that names nothing is a configuration error reported when the
distribution is loaded, not a 500 on the first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localcloud.edge import managed
from localcloud.edge.config import Behavior, ConfigError, Distribution
from localcloud.edge.policies import (
    CachePolicy,
    OriginRequestPolicy,
    cache_policy_from_cfn,
    legacy_policies,
    origin_request_policy_from_cfn,
)
from localcloud.edge.response_policy import ResponseHeadersPolicy, response_headers_policy_from_cfn
from localcloud.model import Deployment


@dataclass(frozen=True)
class FunctionCode:
    """A CloudFront Function as the template gives it."""

    arn: str
    name: str
    code: str
    runtime: str
    key_value_stores: tuple[str, ...] = ()


@dataclass(frozen=True)
class BehaviorPolicies:
    cache: CachePolicy
    origin_request: OriginRequestPolicy | None
    response_headers: ResponseHeadersPolicy | None


class PolicyBook:
    def __init__(self, deployment: Deployment):
        self._cache: dict[str, CachePolicy] = {}
        self._origin: dict[str, OriginRequestPolicy] = {}
        self._headers: dict[str, ResponseHeadersPolicy] = {}
        self.functions: dict[str, FunctionCode] = {}
        for r in deployment.of_type("AWS::CloudFront::CachePolicy"):
            self._cache[r.ref] = cache_policy_from_cfn(r.properties["CachePolicyConfig"], policy_id=r.ref)
        for r in deployment.of_type("AWS::CloudFront::OriginRequestPolicy"):
            config = r.properties["OriginRequestPolicyConfig"]
            self._origin[r.ref] = origin_request_policy_from_cfn(config, policy_id=r.ref)
        for r in deployment.of_type("AWS::CloudFront::ResponseHeadersPolicy"):
            config = r.properties["ResponseHeadersPolicyConfig"]
            self._headers[r.ref] = response_headers_policy_from_cfn(config, policy_id=r.ref)
        for r in deployment.of_type("AWS::CloudFront::Function"):
            config: dict[str, Any] = r.properties.get("FunctionConfig") or {}
            stores = tuple(str(a.get("KeyValueStoreARN")) for a in config.get("KeyValueStoreAssociations") or [])
            self.functions[r.ref] = FunctionCode(
                arn=r.ref,
                name=str(r.properties.get("Name") or r.logical_id),
                code=str(r.properties.get("FunctionCode") or ""),
                runtime=str(config.get("Runtime") or "cloudfront-js-1.0"),
                key_value_stores=stores,
            )

    def for_behavior(self, behavior: Behavior) -> BehaviorPolicies:
        if behavior.cache_policy_id is None:
            cache, origin = legacy_policies(behavior.legacy or {})
        else:
            cache = self._lookup(self._cache, managed.lookup_cache_policy, behavior.cache_policy_id, "cache")
            origin = None
        if behavior.origin_request_policy_id is not None:
            origin = self._lookup(
                self._origin, managed.lookup_origin_request_policy, behavior.origin_request_policy_id, "origin request"
            )
        headers = None
        if behavior.response_headers_policy_id is not None:
            headers = self._lookup(
                self._headers,
                managed.lookup_response_headers_policy,
                behavior.response_headers_policy_id,
                "response headers",
            )
        return BehaviorPolicies(cache, origin, headers)

    def check(self, distribution: Distribution) -> None:
        """Resolve every behaviour's policies and functions now, so a bad id fails at start-up."""
        for behavior in [distribution.default_behavior, *distribution.behaviors]:
            self.for_behavior(behavior)
            for association in behavior.functions:
                if association.function_arn not in self.functions:
                    where = behavior.path_pattern or "the default behaviour"
                    unknown = association.function_arn
                    raise ConfigError(f"{distribution.address}: {where} names unknown function {unknown}")

    @staticmethod
    def _lookup(local: dict[str, Any], managed_lookup: Any, policy_id: str, kind: str) -> Any:
        if policy_id in local:
            return local[policy_id]
        try:
            return managed_lookup(policy_id)
        except KeyError as exc:
            raise ConfigError(f"no {kind} policy {policy_id} in the template or managed by AWS: {exc}") from None
