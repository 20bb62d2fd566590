"""CloudFront's three policies as frozen values, read from a template's CloudFormation properties, plus the
translation of a behaviour's legacy cache settings into the same pair of policies.

One model serves both configuration styles, so the cache key, origin request and TTL rules are written
once. Parsing rejects what CloudFront rejects (an unknown behaviour, MinTTL > DefaultTTL > MaxTTL out of
order, a removed header CloudFront refuses to remove) with a ValueError that names the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from localcloud.edge.response_policy import (
    CorsConfig,
    CustomHeader,
    ResponseHeadersPolicy,
    SecurityHeaders,
    response_headers_policy_from_cfn,
)

__all__ = [
    "CachePolicy",
    "CorsConfig",
    "CustomHeader",
    "OriginRequestPolicy",
    "ParamConfig",
    "ResponseHeadersPolicy",
    "SecurityHeaders",
    "cache_policy_from_cfn",
    "legacy_policies",
    "origin_request_policy_from_cfn",
    "response_headers_policy_from_cfn",
]

ONE_DAY = 86_400
ONE_YEAR = 31_536_000

# Behaviours per section, as the CloudFormation resource reference lists them.
CACHE_HEADER_BEHAVIORS = ("none", "whitelist")
CACHE_LIST_BEHAVIORS = ("none", "whitelist", "allExcept", "all")
ORIGIN_HEADER_BEHAVIORS = ("none", "whitelist", "allViewer", "allViewerAndWhitelistCloudFront", "allExcept")
ORIGIN_LIST_BEHAVIORS = ("none", "whitelist", "all", "allExcept")

# What legacy cache settings never pass on unless the behaviour names the header ("HTTP request headers
# and CloudFront behavior (custom and Amazon S3 origins)": "CloudFront removes the header"). Every other
# viewer header is forwarded, so legacy settings become an allExcept origin request policy.
LEGACY_REMOVED_HEADERS = (
    "Accept",
    "Accept-Charset",
    "Accept-Language",
    "Authorization",
    "Cookie",
    "Expect",
    "Host",
    "Referer",
    "User-Agent",
    "X-HTTP-Method-Override",
)


@dataclass(frozen=True)
class ParamConfig:
    """One section (headers, cookies or query strings): a behaviour and the names it lists.

    `wildcards` is for legacy cookie allowlists, whose names may hold `*` and `?` ("Values that you specify
    when you create or update a distribution", Whitelist cookies).
    """

    behavior: str = "none"
    names: tuple[str, ...] = ()
    wildcards: bool = False

    def lists(self, name: str, *, case_sensitive: bool) -> bool:
        if not case_sensitive:
            name = name.lower()
        for listed in self.names:
            candidate = listed if case_sensitive else listed.lower()
            if fnmatchcase(name, candidate) if self.wildcards else name == candidate:
                return True
        return False

    def selects(self, name: str, *, case_sensitive: bool) -> bool:
        """Whether a viewer value called `name` is included by this section."""
        if self.behavior == "none":
            return False
        if self.behavior == "whitelist":
            return self.lists(name, case_sensitive=case_sensitive)
        if self.behavior == "allExcept":
            return not self.lists(name, case_sensitive=case_sensitive)
        return True  # all, allViewer, allViewerAndWhitelistCloudFront


@dataclass(frozen=True)
class CachePolicy:
    name: str
    min_ttl: int = 0
    default_ttl: int = ONE_DAY
    max_ttl: int = ONE_YEAR
    headers: ParamConfig = field(default_factory=ParamConfig)
    cookies: ParamConfig = field(default_factory=ParamConfig)
    query_strings: ParamConfig = field(default_factory=ParamConfig)
    gzip: bool = False
    brotli: bool = False
    id: str | None = None

    @property
    def caching_disabled(self) -> bool:
        """All three TTLs 0 (MaxTTL is the largest): nothing is stored, collapsed or compressed."""
        return self.max_ttl <= 0


@dataclass(frozen=True)
class OriginRequestPolicy:
    name: str
    headers: ParamConfig = field(default_factory=ParamConfig)
    cookies: ParamConfig = field(default_factory=ParamConfig)
    query_strings: ParamConfig = field(default_factory=ParamConfig)
    id: str | None = None
    managed: bool = False


NO_ORIGIN_REQUEST_POLICY = OriginRequestPolicy(name="none")


def _integer(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be an integer, got {value!r}") from None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def _names(value: Any) -> tuple[str, ...]:
    """A CloudFormation list (`[a, b]`) or the API's `{"Quantity": 2, "Items": [a, b]}`."""
    if value is None:
        return ()
    if isinstance(value, Mapping):
        value = value.get("Items") or []
    return tuple(str(item) for item in value)


def _section(config: Any, behavior_key: str, names_key: str, allowed: tuple[str, ...], where: str) -> ParamConfig:
    config = config or {}
    behavior = str(config.get(behavior_key, "none"))
    if behavior not in allowed:
        raise ValueError(f"{where}.{behavior_key} must be one of {', '.join(allowed)}, got {behavior!r}")
    return ParamConfig(behavior=behavior, names=_names(config.get(names_key)))


def ttls(min_ttl: Any, default_ttl: Any, max_ttl: Any, where: str) -> tuple[int, int, int]:
    """The three TTLs with CloudFront's defaults: DefaultTTL 86400 (or MinTTL if larger), MaxTTL 31536000
    (or DefaultTTL if larger), as the CachePolicyConfig API reference and the legacy settings state them."""
    low = _integer(min_ttl if min_ttl is not None else 0, f"{where}.MinTTL")
    default = _integer(default_ttl, f"{where}.DefaultTTL") if default_ttl is not None else max(ONE_DAY, low)
    high = _integer(max_ttl, f"{where}.MaxTTL") if max_ttl is not None else max(ONE_YEAR, default)
    if not 0 <= low <= default <= high:
        raise ValueError(f"{where}: need 0 <= MinTTL <= DefaultTTL <= MaxTTL, got {low}, {default}, {high}")
    return low, default, high


def cache_policy_from_cfn(config: Mapping[str, Any], *, policy_id: str | None = None) -> CachePolicy:
    """An `AWS::CloudFront::CachePolicy`'s `CachePolicyConfig`, intrinsics already resolved."""
    where = "CachePolicyConfig"
    params = config.get("ParametersInCacheKeyAndForwardedToOrigin") or {}
    inner = f"{where}.ParametersInCacheKeyAndForwardedToOrigin"
    low, default, high = ttls(config.get("MinTTL"), config.get("DefaultTTL"), config.get("MaxTTL"), where)
    return CachePolicy(
        name=str(config.get("Name", "")),
        min_ttl=low,
        default_ttl=default,
        max_ttl=high,
        headers=_section(params.get("HeadersConfig"), "HeaderBehavior", "Headers", CACHE_HEADER_BEHAVIORS, inner),
        cookies=_section(params.get("CookiesConfig"), "CookieBehavior", "Cookies", CACHE_LIST_BEHAVIORS, inner),
        query_strings=_section(
            params.get("QueryStringsConfig"), "QueryStringBehavior", "QueryStrings", CACHE_LIST_BEHAVIORS, inner
        ),
        gzip=_flag(params.get("EnableAcceptEncodingGzip")),
        brotli=_flag(params.get("EnableAcceptEncodingBrotli")),
        id=policy_id,
    )


def origin_request_policy_from_cfn(config: Mapping[str, Any], *, policy_id: str | None = None) -> OriginRequestPolicy:
    """An `AWS::CloudFront::OriginRequestPolicy`'s `OriginRequestPolicyConfig`."""
    where = "OriginRequestPolicyConfig"
    return OriginRequestPolicy(
        name=str(config.get("Name", "")),
        headers=_section(config.get("HeadersConfig"), "HeaderBehavior", "Headers", ORIGIN_HEADER_BEHAVIORS, where),
        cookies=_section(config.get("CookiesConfig"), "CookieBehavior", "Cookies", ORIGIN_LIST_BEHAVIORS, where),
        query_strings=_section(
            config.get("QueryStringsConfig"), "QueryStringBehavior", "QueryStrings", ORIGIN_LIST_BEHAVIORS, where
        ),
        id=policy_id,
    )


def legacy_policies(behavior: Mapping[str, Any]) -> tuple[CachePolicy, OriginRequestPolicy]:
    """A cache behaviour's legacy `ForwardedValues` and TTLs as the equivalent policy pair.

    Legacy settings key the cache on everything they forward, except query strings: `QueryString: true`
    forwards them all and keys on `QueryStringCacheKeys` when that list is given ("Query string forwarding
    and caching"). `Headers: ["*"]` forwards every header and caches nothing ("Cache based on selected
    request headers": All). Cookie allowlists may use `*` and `?`. The normalised Accept-Encoding is
    forwarded and keyed as the header table says for gzip or br, unless the behaviour lists Accept-Encoding
    itself, which makes it a plain header ("Serve compressed files").
    """
    where = "ForwardedValues"
    forwarded = behavior.get("ForwardedValues") or {}
    low, default, high = ttls(behavior.get("MinTTL"), behavior.get("DefaultTTL"), behavior.get("MaxTTL"), where)
    header_names = _names(forwarded.get("Headers"))
    all_headers = "*" in header_names

    cookies = forwarded.get("Cookies") or {}
    forward = str(cookies.get("Forward", "none"))
    if forward not in ("none", "whitelist", "all"):
        raise ValueError(f"{where}.Cookies.Forward must be none, whitelist or all, got {forward!r}")
    cookie_config = ParamConfig(forward, _names(cookies.get("WhitelistedNames")), wildcards=True)

    if _flag(forwarded.get("QueryString", False)):
        keys = _names(forwarded.get("QueryStringCacheKeys"))
        key_queries = ParamConfig("whitelist", keys) if keys else ParamConfig("all")
        sent_queries = ParamConfig("all")
    else:
        key_queries = sent_queries = ParamConfig("none")

    if all_headers:
        key_headers, low, default, high = ParamConfig("none"), 0, 0, 0
        sent_headers = ParamConfig("allViewer")
    else:
        key_headers = ParamConfig("whitelist", header_names) if header_names else ParamConfig("none")
        listed = {name.lower() for name in header_names}
        sent_headers = ParamConfig(
            "allExcept", tuple(name for name in LEGACY_REMOVED_HEADERS if name.lower() not in listed)
        )
    compressed = "accept-encoding" not in {name.lower() for name in header_names}
    cache = CachePolicy(
        name="legacy",
        min_ttl=low,
        default_ttl=default,
        max_ttl=high,
        headers=key_headers,
        cookies=cookie_config,
        query_strings=key_queries,
        gzip=compressed,
        brotli=compressed,
    )
    origin = OriginRequestPolicy(name="legacy", headers=sent_headers, cookies=cookie_config, query_strings=sent_queries)
    return cache, origin
