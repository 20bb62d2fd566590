"""Policies read from CloudFormation properties, legacy ForwardedValues turned into a policy pair, and the
managed policies under their published ids."""

from __future__ import annotations

import pytest

from localcloud.edge import managed
from localcloud.edge.policies import (
    ONE_DAY,
    ONE_YEAR,
    CachePolicy,
    ParamConfig,
    cache_policy_from_cfn,
    legacy_policies,
    origin_request_policy_from_cfn,
    response_headers_policy_from_cfn,
)

CACHE_CONFIG = {
    "Name": "Blog",
    "MinTTL": 1,
    "DefaultTTL": "300",  # intrinsics can leave numbers as strings
    "MaxTTL": 3600,
    "ParametersInCacheKeyAndForwardedToOrigin": {
        "EnableAcceptEncodingGzip": True,
        "EnableAcceptEncodingBrotli": "false",
        "HeadersConfig": {"HeaderBehavior": "whitelist", "Headers": ["Accept-Language"]},
        "CookiesConfig": {"CookieBehavior": "allExcept", "Cookies": ["tracking"]},
        "QueryStringsConfig": {"QueryStringBehavior": "whitelist", "QueryStrings": {"Quantity": 1, "Items": ["p"]}},
    },
}


def test_cache_policy_reads_every_field():
    policy = cache_policy_from_cfn(CACHE_CONFIG, policy_id="abc")
    assert (policy.name, policy.id, policy.min_ttl, policy.default_ttl, policy.max_ttl) == ("Blog", "abc", 1, 300, 3600)
    assert policy.headers == ParamConfig("whitelist", ("Accept-Language",))
    assert policy.cookies == ParamConfig("allExcept", ("tracking",))
    assert policy.query_strings == ParamConfig("whitelist", ("p",))
    assert (policy.gzip, policy.brotli) == (True, False)


@pytest.mark.parametrize(
    ("ttls", "expected"),
    [
        ({}, (0, ONE_DAY, ONE_YEAR)),
        ({"MinTTL": 100_000}, (100_000, 100_000, ONE_YEAR)),
        ({"MinTTL": 0, "DefaultTTL": 40_000_000}, (0, 40_000_000, 40_000_000)),
        ({"MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0}, (0, 0, 0)),
    ],
)
def test_missing_ttls_take_cloudfronts_defaults(ttls, expected):
    policy = cache_policy_from_cfn({"Name": "x", **ttls})
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"MinTTL": 10, "DefaultTTL": 5, "MaxTTL": 20}, "MinTTL <= DefaultTTL <= MaxTTL"),
        ({"MinTTL": "ten"}, "MinTTL must be an integer"),
        (
            {"ParametersInCacheKeyAndForwardedToOrigin": {"HeadersConfig": {"HeaderBehavior": "allViewer"}}},
            "HeaderBehavior must be one of none, whitelist",
        ),
        (
            {"ParametersInCacheKeyAndForwardedToOrigin": {"CookiesConfig": {"CookieBehavior": "some"}}},
            "CookieBehavior must be one of",
        ),
    ],
)
def test_cache_policy_refuses_what_cloudfront_refuses(config, message):
    with pytest.raises(ValueError, match=message):
        cache_policy_from_cfn({"Name": "x", **config})


def test_origin_request_policy_accepts_the_wider_header_behaviours():
    policy = origin_request_policy_from_cfn(
        {
            "Name": "Api",
            "HeadersConfig": {
                "HeaderBehavior": "allViewerAndWhitelistCloudFront",
                "Headers": ["CloudFront-Viewer-Country"],
            },
            "CookiesConfig": {"CookieBehavior": "all"},
            "QueryStringsConfig": {"QueryStringBehavior": "allExcept", "QueryStrings": ["utm"]},
        }
    )
    assert policy.headers == ParamConfig("allViewerAndWhitelistCloudFront", ("CloudFront-Viewer-Country",))
    assert policy.cookies.behavior == "all"
    assert policy.query_strings == ParamConfig("allExcept", ("utm",))
    with pytest.raises(ValueError, match="QueryStringBehavior"):
        origin_request_policy_from_cfn({"QueryStringsConfig": {"QueryStringBehavior": "allViewer"}})


@pytest.mark.parametrize(
    ("config", "name", "case_sensitive", "selected"),
    [
        (ParamConfig("none"), "a", True, False),
        (ParamConfig("all"), "a", True, True),
        (ParamConfig("whitelist", ("Accept",)), "accept", False, True),
        (ParamConfig("whitelist", ("sid",)), "SID", True, False),
        (ParamConfig("allExcept", ("sid",)), "sid", True, False),
        (ParamConfig("allExcept", ("sid",)), "other", True, True),
        (ParamConfig("whitelist", ("userid_*",), wildcards=True), "userid_42", True, True),
        (ParamConfig("whitelist", ("a?c",), wildcards=True), "abc", True, True),
        (ParamConfig("whitelist", ("a?c",), wildcards=True), "abbc", True, False),
        (ParamConfig("whitelist", ("a*",)), "abc", True, False),  # wildcards are legacy cookie lists only
    ],
)
def test_param_config_selection(config, name, case_sensitive, selected):
    assert config.selects(name, case_sensitive=case_sensitive) is selected


# ForwardedValues → (cache key sections, origin request sections), per "Values that you specify".
LEGACY_CASES = [
    pytest.param(
        {},
        ("none", "none", "none"),
        ("allExcept", "none", "none"),
        id="nothing forwarded: every other header still goes, nothing keyed",
    ),
    pytest.param(
        {"QueryString": True},
        ("none", "none", "all"),
        ("allExcept", "none", "all"),
        id="QueryString true keys on all parameters",
    ),
    pytest.param(
        {"QueryString": True, "QueryStringCacheKeys": ["lang"]},
        ("none", "none", "whitelist"),
        ("allExcept", "none", "all"),
        id="forward all, cache based on the allowlist",
    ),
    pytest.param(
        {"QueryString": False, "Cookies": {"Forward": "whitelist", "WhitelistedNames": ["userid_*"]}},
        ("none", "whitelist", "none"),
        ("allExcept", "whitelist", "none"),
        id="cookie allowlist with a wildcard",
    ),
    pytest.param(
        {"QueryString": False, "Cookies": {"Forward": "all"}, "Headers": ["Accept-Language", "Host"]},
        ("whitelist", "all", "none"),
        ("allExcept", "all", "none"),
        id="listed headers are keyed",
    ),
]


@pytest.mark.parametrize(("forwarded", "keyed", "sent"), LEGACY_CASES)
def test_legacy_settings_become_a_policy_pair(forwarded, keyed, sent):
    cache, origin = legacy_policies({"ForwardedValues": forwarded})
    assert (cache.headers.behavior, cache.cookies.behavior, cache.query_strings.behavior) == keyed
    assert (origin.headers.behavior, origin.cookies.behavior, origin.query_strings.behavior) == sent
    assert (cache.min_ttl, cache.default_ttl, cache.max_ttl) == (0, ONE_DAY, ONE_YEAR)


def test_legacy_listed_headers_leave_the_removed_list():
    cache, origin = legacy_policies({"ForwardedValues": {"QueryString": False, "Headers": ["Referer"]}})
    assert cache.headers.names == ("Referer",)
    assert "Referer" not in origin.headers.names
    assert {"Accept", "Authorization", "Host", "User-Agent", "Cookie"} <= set(origin.headers.names)
    assert cache.cookies.wildcards and origin.cookies.wildcards


def test_legacy_star_forwards_every_header_and_caches_nothing():
    cache, origin = legacy_policies({"ForwardedValues": {"QueryString": True, "Headers": ["*"]}, "MinTTL": 0})
    assert cache.caching_disabled
    assert origin.headers.behavior == "allViewer"


def test_legacy_ttls_and_compression():
    cache, _ = legacy_policies({"ForwardedValues": {"QueryString": False}, "MinTTL": 5, "DefaultTTL": 60, "MaxTTL": 90})
    assert (cache.min_ttl, cache.default_ttl, cache.max_ttl) == (5, 60, 90)
    assert cache.gzip and cache.brotli
    listed, _ = legacy_policies({"ForwardedValues": {"QueryString": False, "Headers": ["Accept-Encoding"]}})
    assert not listed.gzip and not listed.brotli  # then Accept-Encoding is an ordinary header
    with pytest.raises(ValueError, match=r"Cookies\.Forward"):
        legacy_policies({"ForwardedValues": {"Cookies": {"Forward": "some"}}})


def test_response_headers_policy_reads_every_section():
    policy = response_headers_policy_from_cfn(
        {
            "Name": "Site",
            "CorsConfig": {
                "AccessControlAllowCredentials": False,
                "AccessControlAllowHeaders": {"Items": ["X-Token"]},
                "AccessControlAllowMethods": {"Items": ["ALL"]},
                "AccessControlAllowOrigins": {"Items": ["https://app.example.com"]},
                "AccessControlExposeHeaders": {"Items": ["ETag"]},
                "AccessControlMaxAgeSec": 600,
                "OriginOverride": True,
            },
            "SecurityHeadersConfig": {
                "StrictTransportSecurity": {
                    "AccessControlMaxAgeSec": 63072000, "IncludeSubdomains": True, "Preload": True, "Override": True,
                },
                "ContentSecurityPolicy": {"ContentSecurityPolicy": "default-src 'self'", "Override": False},
                "ContentTypeOptions": {"Override": True},
                "FrameOptions": {"FrameOption": "DENY", "Override": True},
                "ReferrerPolicy": {"ReferrerPolicy": "no-referrer", "Override": False},
                "XSSProtection": {"Protection": True, "ReportUri": "https://r.example.com/x", "Override": True},
            },
            "CustomHeadersConfig": {"Items": [{"Header": "X-Site", "Value": "blog", "Override": False}]},
            "RemoveHeadersConfig": {"Items": [{"Header": "X-Powered-By"}]},
            "ServerTimingHeadersConfig": {"Enabled": True, "SamplingRate": 12.5},
        }
    )  # fmt: skip
    assert policy.cors is not None and policy.cors.allow_methods[0] == "GET" and len(policy.cors.allow_methods) == 7
    assert policy.security.items() == [
        ("Strict-Transport-Security", "max-age=63072000; includeSubDomains; preload", True),
        ("Content-Security-Policy", "default-src 'self'", False),
        ("X-Content-Type-Options", "nosniff", True),
        ("X-Frame-Options", "DENY", True),
        ("Referrer-Policy", "no-referrer", False),
        ("X-XSS-Protection", "1; report=https://r.example.com/x", True),
    ]
    assert policy.custom[0].name == "X-Site" and policy.remove == ("X-Powered-By",)
    assert (policy.server_timing, policy.server_timing_rate) == (True, 12.5)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"RemoveHeadersConfig": {"Items": [{"Header": "Content-Length"}]}}, "does not allow removing"),
        ({"RemoveHeadersConfig": {"Items": [{"Header": "X-Amz-Cf-Pop"}]}}, "does not allow removing"),
        ({"SecurityHeadersConfig": {"XSSProtection": {"Protection": True, "ModeBlock": True, "ReportUri": "u"}}},
         "not both"),
        ({"SecurityHeadersConfig": {"FrameOptions": {"FrameOption": "ALLOW", "Override": True}}}, "DENY, SAMEORIGIN"),
        ({"CorsConfig": {"AccessControlAllowMethods": {"Items": ["TRACE"]}}}, "AllowMethods"),
    ],
)  # fmt: skip
def test_response_headers_policy_refuses_what_cloudfront_refuses(config, message):
    with pytest.raises(ValueError, match=message):
        response_headers_policy_from_cfn({"Name": "x", **config})


# Every managed policy, as "Use managed cache policies" lists it: (min, default, max, gzip, brotli).
MANAGED_CACHE = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": ("CachingOptimized", 1, ONE_DAY, ONE_YEAR, True, True),
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": ("CachingDisabled", 0, 0, 0, False, False),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": (
        "CachingOptimizedForUncompressedObjects", 1, ONE_DAY, ONE_YEAR, False, False,
    ),
    "83da9c7e-98b4-4e11-a168-04f0df8e2c65": ("UseOriginCacheControlHeaders", 0, 0, ONE_YEAR, True, True),
    "4cc15a8a-d715-48a4-82b8-cc0b614638fe": ("UseOriginCacheControlHeaders-QueryStrings", 0, 0, ONE_YEAR, True, True),
    "2e54312d-136d-493c-8eb9-b001f22f67d2": ("Amplify", 2, 2, 600, True, True),
    "08627262-05a9-4f76-9ded-b50ca2e3a84f": ("Elemental-MediaPackage", 0, ONE_DAY, ONE_YEAR, True, False),
}  # fmt: skip


@pytest.mark.parametrize(("policy_id", "expected"), MANAGED_CACHE.items())
def test_managed_cache_policies(policy_id, expected):
    policy = managed.lookup_cache_policy(policy_id)
    assert (policy.name, policy.min_ttl, policy.default_ttl, policy.max_ttl, policy.gzip, policy.brotli) == expected
    assert policy.id == policy_id


def test_managed_cache_policy_keys():
    amplify = managed.lookup_cache_policy("2e54312d-136d-493c-8eb9-b001f22f67d2")
    assert amplify.headers.names == ("Authorization", "CloudFront-Viewer-Country", "Host")
    assert (amplify.cookies.behavior, amplify.query_strings.behavior) == ("all", "all")
    origin_headers = managed.lookup_cache_policy("4cc15a8a-d715-48a4-82b8-cc0b614638fe")
    assert origin_headers.headers.names == (
        "Host",
        "Origin",
        "X-HTTP-Method-Override",
        "X-HTTP-Method",
        "X-Method-Override",
    )
    assert (origin_headers.cookies.behavior, origin_headers.query_strings.behavior) == ("all", "all")
    media = managed.lookup_cache_policy("08627262-05a9-4f76-9ded-b50ca2e3a84f")
    assert media.query_strings.names == ("aws.manifestfilter", "start", "end", "m")
    assert isinstance(managed.lookup_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6"), CachePolicy)


MANAGED_ORIGIN = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": ("AllViewer", "allViewer", "all", "all"),
    "33f36d7e-f396-46d9-90e0-52428a34d9dc": (
        "AllViewerAndCloudFrontHeaders-2022-06", "allViewerAndWhitelistCloudFront", "all", "all",
    ),
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": ("AllViewerExceptHostHeader", "allExcept", "all", "all"),
    "59781a5b-3903-41f3-afcb-af62929ccde1": ("CORS-CustomOrigin", "whitelist", "none", "none"),
    "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": ("CORS-S3Origin", "whitelist", "none", "none"),
    "775133bc-15f2-49f9-abea-afb2e0bf67d2": ("Elemental-MediaTailor-PersonalizedManifests", "whitelist", "none", "all"),
    "bf0718e1-ba1e-49d1-88b1-f726733018ae": ("HostHeaderOnly", "whitelist", "none", "none"),
    "acba4595-bd28-49b8-b9fe-13317c0390fa": ("UserAgentRefererHeaders", "whitelist", "none", "none"),
}  # fmt: skip


@pytest.mark.parametrize(("policy_id", "expected"), MANAGED_ORIGIN.items())
def test_managed_origin_request_policies(policy_id, expected):
    policy = managed.lookup_origin_request_policy(policy_id)
    assert (policy.name, policy.headers.behavior, policy.cookies.behavior, policy.query_strings.behavior) == expected
    assert policy.managed


def test_managed_origin_request_policy_headers():
    lookup = managed.lookup_origin_request_policy
    assert lookup("b689b0a8-53d0-40ab-baf2-68738e2966ac").headers.names == ("Host",)
    assert lookup("59781a5b-3903-41f3-afcb-af62929ccde1").headers.names == ("Origin",)
    assert lookup("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf").headers.names == (
        "Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method",
    )  # fmt: skip
    assert lookup("acba4595-bd28-49b8-b9fe-13317c0390fa").headers.names == ("User-Agent", "Referer")
    assert len(lookup("33f36d7e-f396-46d9-90e0-52428a34d9dc").headers.names) == 21


MANAGED_RESPONSE = {
    "60669652-455b-4ae9-85a4-c4c02393f86c": ("SimpleCORS", True, False, False),
    "5cc3b908-e619-4b99-88e5-2cf7f45965bd": ("CORS-With-Preflight", True, True, False),
    "67f7725c-6f97-4210-82d7-5512b31e9d03": ("SecurityHeadersPolicy", False, False, True),
    "e61eb60c-9c35-4d20-a928-2b84e02af89c": ("CORS-and-SecurityHeadersPolicy", True, False, True),
    "eaab4381-ed33-4a86-88ca-d9558dc6cd63": ("CORS-with-preflight-and-SecurityHeadersPolicy", True, True, True),
}


@pytest.mark.parametrize(("policy_id", "expected"), MANAGED_RESPONSE.items())
def test_managed_response_headers_policies(policy_id, expected):
    name, cors, preflight, security = expected
    policy = managed.lookup_response_headers_policy(policy_id)
    assert policy.name == name
    assert (policy.cors is not None) is cors
    assert bool(policy.cors and policy.cors.allow_methods) is preflight
    assert bool(policy.security.items()) is security
    if security:
        assert [(n, o) for n, _, o in policy.security.items()] == [
            ("Strict-Transport-Security", False),
            ("X-Content-Type-Options", True),  # the one managed header that overrides the origin's
            ("X-Frame-Options", False),
            ("Referrer-Policy", False),
            ("X-XSS-Protection", False),
        ]


@pytest.mark.parametrize(
    "lookup",
    [managed.lookup_cache_policy, managed.lookup_origin_request_policy, managed.lookup_response_headers_policy],
)
def test_unknown_managed_id_names_the_known_ones(lookup):
    with pytest.raises(KeyError, match=r"no managed .* policy has id 'nope'; known: .*\("):
        lookup("nope")
