"""A distribution as the edge serves it, read from an `AWS::CloudFront::Distribution` resource.

The properties arrive with every intrinsic resolved (see provision), in CloudFormation's shape: plain
lists for Origins, CacheBehaviors and CustomErrorResponses, `Quantity`/`Items` for OriginGroups. Policies
are kept by id here and resolved by the pipeline (template policies or AWS's managed ones). Defaults are
CloudFormation's: AllowedMethods and CachedMethods GET, HEAD; Compress false; ErrorCachingMinTTL 10.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

S3_DOMAIN = re.compile(r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com$")
API_DOMAIN = re.compile(r"^(?P<api>[a-z0-9]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$")
DEFAULT_METHODS = ("GET", "HEAD")


class ConfigError(ValueError):
    """The distribution cannot be served as configured; the message names the part."""


@dataclass(frozen=True)
class Origin:
    id: str
    domain: str
    path: str = ""  # OriginPath, no trailing slash
    custom_headers: tuple[tuple[str, str], ...] = ()
    kind: str = "custom"  # "s3" (REST endpoint of a bucket), "api" (an API Gateway of this app), "custom"
    bucket: str | None = None
    api_id: str | None = None
    oac_id: str | None = None
    oai: str | None = None
    protocol_policy: str = "https-only"  # http-only | https-only | match-viewer (custom origins)
    http_port: int = 80
    https_port: int = 443
    read_timeout: float = 30.0
    connect_timeout: float = 10.0
    connection_attempts: int = 3


@dataclass(frozen=True)
class OriginGroup:
    id: str
    members: tuple[str, ...]  # primary first
    status_codes: frozenset[int]


@dataclass(frozen=True)
class FunctionAssociation:
    event_type: str  # viewer-request | viewer-response
    function_arn: str


@dataclass(frozen=True)
class LambdaAssociation:
    event_type: str  # viewer-request | origin-request | origin-response | viewer-response
    function_arn: str
    include_body: bool = False


@dataclass(frozen=True)
class Behavior:
    path_pattern: str | None  # None: the default behaviour
    target_origin_id: str
    viewer_protocol_policy: str = "allow-all"
    allowed_methods: frozenset[str] = frozenset(DEFAULT_METHODS)
    cached_methods: frozenset[str] = frozenset(DEFAULT_METHODS)
    compress: bool = False
    cache_policy_id: str | None = None
    origin_request_policy_id: str | None = None
    response_headers_policy_id: str | None = None
    legacy: dict[str, Any] | None = None  # ForwardedValues and the TTLs, when no cache policy is set
    functions: tuple[FunctionAssociation, ...] = ()
    lambdas: tuple[LambdaAssociation, ...] = ()
    trusted_key_groups: tuple[str, ...] = ()

    def matches(self, path: str) -> bool:
        return self.path_pattern is None or _pattern(self.path_pattern).fullmatch(path) is not None

    def function(self, event_type: str) -> FunctionAssociation | None:
        return next((f for f in self.functions if f.event_type == event_type), None)

    def lambda_for(self, event_type: str) -> LambdaAssociation | None:
        return next((f for f in self.lambdas if f.event_type == event_type), None)


@dataclass(frozen=True)
class ErrorResponse:
    error_code: int
    response_code: int | None = None
    response_page_path: str | None = None
    caching_min_ttl: float = 10.0


@dataclass
class Distribution:
    address: str  # Stack/LogicalId
    id: str
    arn: str
    domain_name: str  # dxxxxxxxxxxxxx.cloudfront.net
    origins: dict[str, Origin]
    default_behavior: Behavior
    behaviors: list[Behavior] = field(default_factory=list)  # in template order, matched first to last
    origin_groups: dict[str, OriginGroup] = field(default_factory=dict)
    error_responses: dict[int, ErrorResponse] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    default_root_object: str = ""
    enabled: bool = True

    def behavior_for(self, path: str) -> Behavior:
        return next((b for b in self.behaviors if b.matches(path)), self.default_behavior)


def parse_distribution(address: str, ref: str, attrs: dict[str, Any], properties: dict[str, Any]) -> Distribution:
    config = properties.get("DistributionConfig") or {}
    origins = {o.id: o for o in (_origin(raw) for raw in config.get("Origins") or [])}
    groups = {g.id: g for g in (_group(raw) for raw in _items(config.get("OriginGroups")))}
    if not origins:
        raise ConfigError(f"{address}: a distribution needs at least one origin")
    default = config.get("DefaultCacheBehavior")
    if not default:
        raise ConfigError(f"{address}: DefaultCacheBehavior is missing")
    behaviors = [_behavior(raw, raw.get("PathPattern")) for raw in config.get("CacheBehaviors") or []]
    distribution = Distribution(
        address=address,
        id=ref,
        arn=str(attrs.get("Arn") or ""),
        domain_name=str(attrs.get("DomainName") or ""),
        origins=origins,
        origin_groups=groups,
        default_behavior=_behavior(default, None),
        behaviors=behaviors,
        error_responses={e.error_code: e for e in (_error(raw) for raw in config.get("CustomErrorResponses") or [])},
        aliases=tuple(str(a).lower() for a in config.get("Aliases") or []),
        default_root_object=str(config.get("DefaultRootObject") or "").lstrip("/"),
        enabled=_bool(config.get("Enabled", True)),
    )
    for behavior in [distribution.default_behavior, *behaviors]:
        if behavior.target_origin_id not in origins and behavior.target_origin_id not in groups:
            where = behavior.path_pattern or "the default behaviour"
            raise ConfigError(f"{address}: {where} targets unknown origin {behavior.target_origin_id!r}")
    return distribution


def _origin(raw: dict[str, Any]) -> Origin:
    domain = str(raw["DomainName"]).lower().rstrip(".")
    custom = raw.get("CustomOriginConfig")
    s3 = S3_DOMAIN.match(domain)
    api = API_DOMAIN.match(domain)
    kind = "s3" if s3 and custom is None else "api" if api else "custom"
    custom = custom or {}
    return Origin(
        id=str(raw["Id"]),
        domain=domain,
        path=str(raw.get("OriginPath") or "").rstrip("/"),
        custom_headers=tuple(
            (str(h["HeaderName"]), str(h["HeaderValue"])) for h in raw.get("OriginCustomHeaders") or []
        ),
        kind=kind,
        bucket=s3.group("bucket") if kind == "s3" and s3 else None,
        api_id=api.group("api") if api else None,
        oac_id=raw.get("OriginAccessControlId") or None,
        oai=(raw.get("S3OriginConfig") or {}).get("OriginAccessIdentity") or None,
        protocol_policy=str(
            custom.get("OriginProtocolPolicy") or ("https-only" if kind != "custom" else "match-viewer")
        ),
        http_port=int(custom.get("HTTPPort") or 80),
        https_port=int(custom.get("HTTPSPort") or 443),
        read_timeout=float(custom.get("OriginReadTimeout") or 30),
        connect_timeout=float(raw.get("ConnectionTimeout") or 10),
        connection_attempts=int(raw.get("ConnectionAttempts") or 3),
    )


def _group(raw: dict[str, Any]) -> OriginGroup:
    members = tuple(str(m["OriginId"]) for m in _items(raw.get("Members")))
    codes = frozenset(int(c) for c in _items((raw.get("FailoverCriteria") or {}).get("StatusCodes")))
    if len(members) != 2:
        raise ConfigError(f"origin group {raw.get('Id')}: needs exactly two members (primary, secondary)")
    return OriginGroup(id=str(raw["Id"]), members=members, status_codes=codes)


def _behavior(raw: dict[str, Any], pattern: str | None) -> Behavior:
    legacy = None
    if not raw.get("CachePolicyId"):
        legacy = {k: raw[k] for k in ("ForwardedValues", "MinTTL", "DefaultTTL", "MaxTTL") if k in raw}
    return Behavior(
        path_pattern=str(pattern) if pattern is not None else None,
        target_origin_id=str(raw["TargetOriginId"]),
        viewer_protocol_policy=str(raw.get("ViewerProtocolPolicy") or "allow-all"),
        allowed_methods=_methods(raw.get("AllowedMethods")),
        cached_methods=_methods(raw.get("CachedMethods")),
        compress=_bool(raw.get("Compress", False)),
        cache_policy_id=raw.get("CachePolicyId") or None,
        origin_request_policy_id=raw.get("OriginRequestPolicyId") or None,
        response_headers_policy_id=raw.get("ResponseHeadersPolicyId") or None,
        legacy=legacy,
        functions=tuple(
            FunctionAssociation(str(f["EventType"]), str(f["FunctionARN"]))
            for f in raw.get("FunctionAssociations") or []
        ),
        lambdas=tuple(
            LambdaAssociation(str(f["EventType"]), str(f["LambdaFunctionARN"]), _bool(f.get("IncludeBody", False)))
            for f in raw.get("LambdaFunctionAssociations") or []
        ),
        trusted_key_groups=tuple(str(k) for k in raw.get("TrustedKeyGroups") or []),
    )


def _error(raw: dict[str, Any]) -> ErrorResponse:
    code = raw.get("ResponseCode")
    return ErrorResponse(
        error_code=int(raw["ErrorCode"]),
        response_code=int(code) if code not in (None, "") else None,
        response_page_path=raw.get("ResponsePagePath") or None,
        caching_min_ttl=float(raw.get("ErrorCachingMinTTL", 10)),
    )


def _items(value: Any) -> list[Any]:
    """CloudFormation's `{Quantity, Items}` lists (OriginGroups, their members and status codes)."""
    if isinstance(value, dict):
        return list(value.get("Items") or [])
    return list(value or [])


def _methods(value: Any) -> frozenset[str]:
    return frozenset(str(m).upper() for m in (value or DEFAULT_METHODS))


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() == "true"


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(path_pattern: str) -> re.Pattern[str]:
    """CloudFront path patterns: case-sensitive, `*` any run of characters, `?` exactly one, nothing else
    special; the leading `/` is optional."""
    compiled = _PATTERNS.get(path_pattern)
    if compiled is None:
        body = path_pattern if path_pattern.startswith("/") else "/" + path_pattern
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in body)
        compiled = _PATTERNS[path_pattern] = re.compile(regex, re.DOTALL)
    return compiled
