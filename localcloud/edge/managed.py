"""AWS's managed policies under their well-known ids, so a template that names one by id behaves as on
AWS without creating anything.

Ids and settings are those of "Use managed cache policies", "Use managed origin request policies" and
"Use managed response headers policies" in the CloudFront Developer Guide. HostHeaderOnly is newer than
the brief's list; its id (bf0718e1-…) is the one CloudFront publishes for it, its setting is its name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from localcloud.edge.policies import (
    ONE_DAY,
    ONE_YEAR,
    CachePolicy,
    CorsConfig,
    OriginRequestPolicy,
    ParamConfig,
    ResponseHeadersPolicy,
    SecurityHeaders,
)
from localcloud.edge.response_policy import CORS_METHODS

NONE = ParamConfig("none")
ALL = ParamConfig("all")
_ORIGIN_CACHE_HEADERS = ParamConfig(
    "whitelist", ("Host", "Origin", "X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override")
)


def _by_id[P: (CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy)](policies: tuple[P, ...]) -> dict[str, P]:
    return {policy.id: policy for policy in policies if policy.id}


def _cache(policy_id: str, name: str, low: int, default: int, high: int, **params: Any) -> CachePolicy:
    return CachePolicy(name=name, min_ttl=low, default_ttl=default, max_ttl=high, id=policy_id, **params)


CACHE_POLICIES: dict[str, CachePolicy] = _by_id(
    (
        _cache(
            "2e54312d-136d-493c-8eb9-b001f22f67d2", "Amplify", 2, 2, 600,
            headers=ParamConfig("whitelist", ("Authorization", "CloudFront-Viewer-Country", "Host")),
            cookies=ALL, query_strings=ALL, gzip=True, brotli=True,
        ),
        _cache("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled", 0, 0, 0),
        _cache(
            "658327ea-f89d-4fab-a63d-7e88639e58f6", "CachingOptimized", 1, ONE_DAY, ONE_YEAR, gzip=True, brotli=True,
        ),
        _cache("b2884449-e4de-46a7-ac36-70bc7f1ddd6d", "CachingOptimizedForUncompressedObjects", 1, ONE_DAY, ONE_YEAR),
        _cache(
            "08627262-05a9-4f76-9ded-b50ca2e3a84f", "Elemental-MediaPackage", 0, ONE_DAY, ONE_YEAR,
            headers=ParamConfig("whitelist", ("Origin",)),
            query_strings=ParamConfig("whitelist", ("aws.manifestfilter", "start", "end", "m")),
            gzip=True,
        ),
        _cache(
            "83da9c7e-98b4-4e11-a168-04f0df8e2c65", "UseOriginCacheControlHeaders", 0, 0, ONE_YEAR,
            headers=_ORIGIN_CACHE_HEADERS, cookies=ALL, gzip=True, brotli=True,
        ),
        _cache(
            "4cc15a8a-d715-48a4-82b8-cc0b614638fe", "UseOriginCacheControlHeaders-QueryStrings", 0, 0, ONE_YEAR,
            headers=_ORIGIN_CACHE_HEADERS, cookies=ALL, query_strings=ALL, gzip=True, brotli=True,
        ),
    )
)  # fmt: skip

# The CloudFront headers AllViewerAndCloudFrontHeaders-2022-06 adds: those released through June 2022.
CLOUDFRONT_HEADERS_2022_06 = (
    "CloudFront-Forwarded-Proto",
    "CloudFront-Is-Android-Viewer",
    "CloudFront-Is-Desktop-Viewer",
    "CloudFront-Is-IOS-Viewer",
    "CloudFront-Is-Mobile-Viewer",
    "CloudFront-Is-SmartTV-Viewer",
    "CloudFront-Is-Tablet-Viewer",
    "CloudFront-Viewer-Address",
    "CloudFront-Viewer-ASN",
    "CloudFront-Viewer-City",
    "CloudFront-Viewer-Country",
    "CloudFront-Viewer-Country-Name",
    "CloudFront-Viewer-Country-Region",
    "CloudFront-Viewer-Country-Region-Name",
    "CloudFront-Viewer-Http-Version",
    "CloudFront-Viewer-Latitude",
    "CloudFront-Viewer-Longitude",
    "CloudFront-Viewer-Metro-Code",
    "CloudFront-Viewer-Postal-Code",
    "CloudFront-Viewer-Time-Zone",
    "CloudFront-Viewer-TLS",
)
_CORS_REQUEST_HEADERS = ("Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method")


def _origin(policy_id: str, name: str, headers: ParamConfig, cookies: ParamConfig = NONE, queries: ParamConfig = NONE):
    return OriginRequestPolicy(name, headers, cookies, queries, id=policy_id, managed=True)


ORIGIN_REQUEST_POLICIES: dict[str, OriginRequestPolicy] = _by_id(
    (
        _origin("216adef6-5c7f-47e4-b989-5492eafa07d3", "AllViewer", ParamConfig("allViewer"), ALL, ALL),
        _origin(
            "33f36d7e-f396-46d9-90e0-52428a34d9dc", "AllViewerAndCloudFrontHeaders-2022-06",
            ParamConfig("allViewerAndWhitelistCloudFront", CLOUDFRONT_HEADERS_2022_06), ALL, ALL,
        ),
        _origin(
            "b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader",
            ParamConfig("allExcept", ("Host",)), ALL, ALL,
        ),
        _origin("59781a5b-3903-41f3-afcb-af62929ccde1", "CORS-CustomOrigin", ParamConfig("whitelist", ("Origin",))),
        _origin(
            "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf", "CORS-S3Origin", ParamConfig("whitelist", _CORS_REQUEST_HEADERS),
        ),
        _origin(
            "775133bc-15f2-49f9-abea-afb2e0bf67d2", "Elemental-MediaTailor-PersonalizedManifests",
            ParamConfig("whitelist", (*_CORS_REQUEST_HEADERS, "User-Agent", "X-Forwarded-For")), NONE, ALL,
        ),
        _origin("bf0718e1-ba1e-49d1-88b1-f726733018ae", "HostHeaderOnly", ParamConfig("whitelist", ("Host",))),
        _origin(
            "acba4595-bd28-49b8-b9fe-13317c0390fa", "UserAgentRefererHeaders",
            ParamConfig("whitelist", ("User-Agent", "Referer")),
        ),
    )
)  # fmt: skip

# Managed security headers: only X-Content-Type-Options overrides the origin's.
_SECURITY = SecurityHeaders(
    hsts=("max-age=31536000", False),
    content_type_options=("nosniff", True),
    frame_options=("SAMEORIGIN", False),
    referrer_policy=("strict-origin-when-cross-origin", False),
    xss_protection=("1; mode=block", False),
)
_SIMPLE_CORS = CorsConfig(allow_origins=("*",))
_PREFLIGHT_CORS = CorsConfig(allow_origins=("*",), allow_methods=CORS_METHODS, expose_headers=("*",))

RESPONSE_HEADERS_POLICIES: dict[str, ResponseHeadersPolicy] = _by_id(
    (
        ResponseHeadersPolicy("CORS-and-SecurityHeadersPolicy", _SIMPLE_CORS, _SECURITY,
                              id="e61eb60c-9c35-4d20-a928-2b84e02af89c"),
        ResponseHeadersPolicy("CORS-With-Preflight", _PREFLIGHT_CORS, id="5cc3b908-e619-4b99-88e5-2cf7f45965bd"),
        ResponseHeadersPolicy("CORS-with-preflight-and-SecurityHeadersPolicy", _PREFLIGHT_CORS, _SECURITY,
                              id="eaab4381-ed33-4a86-88ca-d9558dc6cd63"),
        ResponseHeadersPolicy("SecurityHeadersPolicy", None, _SECURITY, id="67f7725c-6f97-4210-82d7-5512b31e9d03"),
        ResponseHeadersPolicy("SimpleCORS", _SIMPLE_CORS, id="60669652-455b-4ae9-85a4-c4c02393f86c"),
    )
)  # fmt: skip


def _lookup[P: (CachePolicy, OriginRequestPolicy, ResponseHeadersPolicy)](
    table: Mapping[str, P], policy_id: str, kind: str
) -> P:
    try:
        return table[policy_id]
    except KeyError:
        known = ", ".join(f"{p.name} ({i})" for i, p in table.items())
        raise KeyError(f"no managed {kind} policy has id {policy_id!r}; known: {known}") from None


def lookup_cache_policy(policy_id: str) -> CachePolicy:
    return _lookup(CACHE_POLICIES, policy_id, "cache")


def lookup_origin_request_policy(policy_id: str) -> OriginRequestPolicy:
    return _lookup(ORIGIN_REQUEST_POLICIES, policy_id, "origin request")


def lookup_response_headers_policy(policy_id: str) -> ResponseHeadersPolicy:
    return _lookup(RESPONSE_HEADERS_POLICIES, policy_id, "response headers")
