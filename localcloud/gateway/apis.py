"""The APIs a deployment declares: REST APIs (swagger bodies + stages) and HTTP APIs (OpenAPI + stages)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from localcloud.gateway.routes import RouteTable
from localcloud.model import Deployment, Resource

log = logging.getLogger(__name__)


@dataclass
class MethodSetting:
    resource_path: str  # "/*" or a resource path with "/" unescaped
    http_method: str  # "*" or a method
    caching: bool | None = None
    cache_ttl: int | None = None
    rate: float | None = None
    burst: int | None = None
    cache_control_auth: bool | None = None  # requireAuthorizationForCacheControl (API Gateway: true)
    unauthorized_cache_control: str | None = None  # unauthorizedCacheControlHeaderStrategy

    def applies(self, resource: str, method: str) -> bool:
        return self.resource_path in ("/*", resource) and self.http_method in ("*", method)

    @property
    def specific(self) -> bool:
        return self.resource_path != "/*"


@dataclass
class Stage:
    name: str
    variables: dict[str, str] = field(default_factory=dict)
    cache_cluster: bool = False
    method_settings: list[MethodSetting] = field(default_factory=list)
    default_rate: float | None = None  # HTTP API DefaultRouteSettings
    default_burst: int | None = None
    route_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # HTTP API RouteSettings by route key

    def setting(self, resource: str, method: str, attr: str):
        """The most specific method setting that sets `attr` (method-specific beats "/*", exact beats "*")."""
        best = None
        best_rank = None
        for ms in self.method_settings:
            if not ms.applies(resource, method) or getattr(ms, attr) is None:
                continue
            rank = (ms.specific, ms.http_method != "*")
            if best_rank is None or rank > best_rank:
                best, best_rank = ms, rank
        return getattr(best, attr) if best is not None else None


@dataclass
class Api:
    kind: str  # "rest" or "http"
    api_id: str
    resource: Resource
    body: dict[str, Any]
    routes: RouteTable
    stages: dict[str, Stage]
    primary_stage: str | None

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def security_schemes(self) -> dict[str, Any]:
        # A REST API takes Swagger 2 or OpenAPI 3 (SAM writes OpenAPI 3 when the body says `openapi: 3…`)
        if self.kind == "rest" and "securityDefinitions" in self.body:
            return self.body.get("securityDefinitions") or {}
        return (self.body.get("components") or {}).get("securitySchemes") or {}

    def authorizers(self, operation: dict[str, Any]) -> Iterator[tuple[str, Any, dict, dict]]:
        """(name, scopes, scheme, authorizer) of each security requirement of `operation` that API Gateway
        enforces, in order; API keys and IAM (SigV4, see `iam_auth`) have no authorizer object."""
        for requirement in operation.get("security", self.body.get("security")) or []:
            if not isinstance(requirement, dict):
                continue
            for name, scopes in requirement.items():
                scheme = self.security_schemes.get(name)
                spec = scheme.get("x-amazon-apigateway-authorizer") if isinstance(scheme, dict) else None
                if isinstance(spec, dict):
                    yield name, scopes, scheme, spec

    def iam_auth(self, operation: dict[str, Any]) -> bool:
        """Whether `operation` requires SigV4 (AWS_IAM): a security scheme with authtype awsSigv4."""
        for requirement in operation.get("security", self.body.get("security")) or []:
            if not isinstance(requirement, dict):
                continue
            for name in requirement:
                scheme = self.security_schemes.get(name)
                authtype = scheme.get("x-amazon-apigateway-authtype") if isinstance(scheme, dict) else None
                if str(authtype or "").lower() == "awssigv4":
                    return True
        return False

    @property
    def binary_media_types(self) -> list[str]:
        types = list(self.body.get("x-amazon-apigateway-binary-media-types") or [])
        types += [t.replace("~1", "/") for t in self.resource.properties.get("BinaryMediaTypes") or []]
        return types

    @property
    def gateway_responses(self) -> dict[str, Any]:
        return self.body.get("x-amazon-apigateway-gateway-responses") or {}

    @property
    def validators(self) -> dict[str, Any]:
        return self.body.get("x-amazon-apigateway-request-validators") or {}

    @property
    def default_validator(self) -> str | None:
        return self.body.get("x-amazon-apigateway-request-validator")

    @property
    def models(self) -> dict[str, Any]:
        if self.kind == "rest":
            return self.body.get("definitions") or {}
        return (self.body.get("components") or {}).get("schemas") or {}


def _unescape_resource_path(path: str) -> str:
    """MethodSettings write "/todos/{id}" as "/~1todos~1{id}": a leading separator, then the escaped path."""
    if path == "/*":
        return path
    return path[1:].replace("~1", "/") if path.startswith("/~1") else path.replace("~1", "/")


def _num(value, cast):
    try:
        return cast(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def _rest_stage(props: dict[str, Any]) -> Stage:
    settings = []
    for ms in props.get("MethodSettings") or []:
        settings.append(
            MethodSetting(
                resource_path=_unescape_resource_path(str(ms.get("ResourcePath", "/*"))),
                http_method=str(ms.get("HttpMethod", "*")).upper(),
                caching=str(ms["CachingEnabled"]).lower() == "true" if "CachingEnabled" in ms else None,
                cache_ttl=_num(ms.get("CacheTtlInSeconds"), int),
                rate=_num(ms.get("ThrottlingRateLimit"), float),
                burst=_num(ms.get("ThrottlingBurstLimit"), int),
            )
        )
    return Stage(
        name=str(props["StageName"]),
        variables={k: str(v) for k, v in (props.get("Variables") or {}).items()},
        cache_cluster=str(props.get("CacheClusterEnabled", False)).lower() == "true",
        method_settings=settings,
    )


# CloudFormation's MethodSetting has no field for the two cache-control settings; a template sets them
# with this custom resource, whose function patches the stage (UpdateStage) on AWS. localcloud reads its
# properties instead of running it.
CACHE_CONTROL_TYPE = "Custom::StageCacheControl"


def _cache_control_settings(props: dict[str, Any]) -> list[MethodSetting]:
    settings = []
    for ms in props.get("MethodSettings") or []:
        required = ms.get("RequireAuthorizationForCacheControl")
        settings.append(
            MethodSetting(
                resource_path=_unescape_resource_path(str(ms.get("ResourcePath", "/*"))),
                http_method=str(ms.get("HttpMethod", "*")).upper(),
                cache_control_auth=None if required is None else str(required).lower() == "true",
                unauthorized_cache_control=ms.get("UnauthorizedCacheControlHeaderStrategy"),
            )
        )
    return settings


def _http_stage(props: dict[str, Any]) -> Stage:
    default = props.get("DefaultRouteSettings") or {}
    return Stage(
        name=str(props["StageName"]),
        variables={k: str(v) for k, v in (props.get("StageVariables") or {}).items()},
        default_rate=_num(default.get("ThrottlingRateLimit"), float),
        default_burst=_num(default.get("ThrottlingBurstLimit"), int),
        route_settings=dict(props.get("RouteSettings") or {}),
    )


def load_apis(deployment: Deployment) -> dict[str, Api]:
    """Every API with an inline body, by api id. APIs without one are skipped with a warning naming them."""
    apis: dict[str, Api] = {}
    for res in deployment.of_type("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        kind = "rest" if res.type == "AWS::ApiGateway::RestApi" else "http"
        body = res.properties.get("Body")
        api_id = res.ref
        if not isinstance(body, dict):
            log.warning("API %s (%s) has no inline Body; the gateway does not serve it", res.address, res.type)
            continue
        if not api_id:
            log.warning("API %s has no physical id; the gateway does not serve it", res.address)
            continue
        apis[api_id] = Api(kind, api_id, res, body, RouteTable(body.get("paths") or {}), {}, None)

    for res in deployment.of_type("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::ApiGatewayV2::Stage"):
        props = res.properties
        api = apis.get(str(props.get("RestApiId") or props.get("ApiId") or ""))
        if api is None or not props.get("StageName"):
            continue
        if res.type == "AWS::ApiGateway::Deployment":
            api.stages.setdefault(str(props["StageName"]), Stage(name=str(props["StageName"])))
            continue
        stage = _rest_stage(props) if res.type == "AWS::ApiGateway::Stage" else _http_stage(props)
        api.stages[stage.name] = stage
        if api.primary_stage is None:
            api.primary_stage = stage.name
    for res in deployment.of_type(CACHE_CONTROL_TYPE):
        api = apis.get(str(res.properties.get("RestApiId") or ""))
        stage = api.stages.get(str(res.properties.get("StageName") or "")) if api else None
        if stage is None:
            log.warning("%s names no stage the gateway serves; its settings are ignored", res.address)
            continue
        stage.method_settings.extend(_cache_control_settings(res.properties))
    for api in apis.values():
        if api.primary_stage is None and api.stages:
            api.primary_stage = next(iter(api.stages))
    return apis
