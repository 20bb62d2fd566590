"""Response headers policies applied to responses: Override, CORS, preflights, removal and Server-Timing."""

from __future__ import annotations

import pytest

from localcloud.edge.managed import lookup_response_headers_policy
from localcloud.edge.model import EdgeRequest, header, header_values
from localcloud.edge.response_headers import (
    apply_policy,
    origin_allowed,
    preflight_response,
    server_timing_wanted,
)
from localcloud.edge.response_policy import CorsConfig, CustomHeader, ResponseHeadersPolicy, SecurityHeaders

SECURITY = lookup_response_headers_policy("67f7725c-6f97-4210-82d7-5512b31e9d03")
SIMPLE_CORS = lookup_response_headers_policy("60669652-455b-4ae9-85a4-c4c02393f86c")
PREFLIGHT = lookup_response_headers_policy("5cc3b908-e619-4b99-88e5-2cf7f45965bd")
APP = "https://app.example.com"


def get(*headers: tuple[str, str], method: str = "GET") -> EdgeRequest:
    return EdgeRequest(method, "/a", "", list(headers))


def preflight(origin: str = APP) -> EdgeRequest:
    return get(("Origin", origin), ("Access-Control-Request-Method", "PUT"), method="OPTIONS")


def test_managed_security_headers_keep_the_origins_except_nosniff():
    origin = [("Strict-Transport-Security", "max-age=60"), ("X-Content-Type-Options", "sniff-me"), ("ETag", '"1"')]
    out = apply_policy(origin, SECURITY, get())
    assert header(out, "strict-transport-security") == "max-age=60"  # Override false: the origin's stays
    assert header_values(out, "x-content-type-options") == ["nosniff"]  # Override true
    assert header(out, "x-frame-options") == "SAMEORIGIN"
    assert header(out, "referrer-policy") == "strict-origin-when-cross-origin"
    assert header(out, "x-xss-protection") == "1; mode=block"
    assert header(out, "etag") == '"1"'


def test_security_headers_are_added_to_every_response():
    out = apply_policy([], SECURITY, get())
    assert header(out, "strict-transport-security") == "max-age=31536000"


CUSTOM = ResponseHeadersPolicy(
    "custom",
    security=SecurityHeaders(
        hsts=("max-age=63072000; includeSubDomains; preload", True), csp=("default-src 'self'", False)
    ),
    custom=(CustomHeader("Cache-Control", "public, max-age=60", True), CustomHeader("X-Site", "blog", False),
            CustomHeader("X-Empty", "", True)),
    remove=("X-Powered-By", "Vary", "X-Site", "Server"),
)  # fmt: skip


def test_override_remove_and_custom_headers():
    origin = [
        ("Strict-Transport-Security", "max-age=1"),
        ("Content-Security-Policy", "origin's"),
        ("Cache-Control", "no-cache"),
        ("X-Powered-By", "Express"),
        ("Vary", "Accept"),
        ("X-Site", "origin"),
        ("Server", "nginx"),
    ]
    out = apply_policy(origin, CUSTOM, get())
    assert header(out, "strict-transport-security") == "max-age=63072000; includeSubDomains; preload"
    assert header(out, "content-security-policy") == "origin's"
    assert header_values(out, "cache-control") == ["public, max-age=60"]
    assert header(out, "x-powered-by") is None and header(out, "vary") is None
    assert header(out, "x-site") == "blog"  # removed first, then added by the policy
    assert header(out, "x-empty") == ""  # a custom header may have no value
    assert header_values(out, "server") == ["CloudFront"]


def test_removing_date_makes_cloudfront_add_its_own():
    policy = ResponseHeadersPolicy("d", remove=("Date",))
    out = apply_policy([("Date", "Thu, 01 Jan 1970 00:00:00 GMT")], policy, get(), now=1_700_000_000)
    assert header(out, "date") == "Tue, 14 Nov 2023 22:13:20 GMT"


CORS_CASES = [
    ("no Origin: not a CORS request", SIMPLE_CORS, get(), [], {}),
    ("simple CORS", SIMPLE_CORS, get(("Origin", APP)), [], {"access-control-allow-origin": "*"}),
    ("the origin's CORS header is kept (Override false)", SIMPLE_CORS, get(("Origin", APP)),
     [("Access-Control-Allow-Origin", APP)], {"access-control-allow-origin": APP}),
    ("preflight headers answer a preflight", PREFLIGHT, preflight(), [],
     {"access-control-allow-origin": "*", "access-control-expose-headers": "*",
      "access-control-allow-methods": "GET, DELETE, HEAD, OPTIONS, PATCH, POST, PUT"}),
    ("preflight headers stay off simple requests", PREFLIGHT, get(("Origin", APP)), [],
     {"access-control-allow-origin": "*", "access-control-expose-headers": "*",
      "access-control-allow-methods": None}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("policy", "request_", "origin", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CORS_CASES]
)
def test_cors_headers(policy, request_, origin, expected):
    out = apply_policy(origin, policy, request_)
    if not expected:
        assert not [n for n, _ in out if n.lower().startswith("access-control-")]
    for name, value in expected.items():
        assert header(out, name) == value


LISTED = ResponseHeadersPolicy(
    "listed",
    cors=CorsConfig(
        allow_origins=(APP, "*.example.org"),
        allow_headers=("X-Token", "Content-Type"),
        allow_methods=("GET", "PUT"),
        allow_credentials=True,
        expose_headers=("ETag",),
        max_age=600,
        override=True,
    ),
)


def test_listed_origins_are_echoed_with_credentials_and_preflight_values():
    out = apply_policy([("Access-Control-Allow-Origin", "*")], LISTED, preflight())
    assert header_values(out, "access-control-allow-origin") == [APP]  # Override true
    assert header(out, "access-control-allow-credentials") == "true"
    assert header(out, "access-control-expose-headers") == "ETag"
    assert header(out, "access-control-allow-methods") == "GET, PUT"
    assert header(out, "access-control-allow-headers") == "X-Token, Content-Type"
    assert header(out, "access-control-max-age") == "600"


def test_an_origin_not_listed_gets_no_cors_headers():
    out = apply_policy([], LISTED, get(("Origin", "https://evil.example.net")))
    assert not [n for n, _ in out if n.lower().startswith("access-control-")]


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        ("https://a.example.com", ("*",), True),
        ("https://a.example.com", ("https://a.example.com",), True),
        ("HTTPS://A.example.com", ("https://a.example.com",), True),
        ("https://a.example.com", ("https://b.example.com",), False),
        ("https://www.example.org", ("*.example.org",), True),
        ("https://deep.www.example.org", ("*.example.org",), True),
        ("https://example.org", ("*.example.org",), False),
        ("https://www.example.org", ("http://*.example.org",), False),
        ("https://www.example.org", ("https://*.example.org",), True),
        ("https://badexample.org", ("*.example.org",), False),
    ],
)
def test_origin_allowed(origin, allowed, expected):
    assert origin_allowed(origin, allowed) is expected


def test_preflight_response_at_the_edge():
    answer = preflight_response(preflight(), PREFLIGHT)
    assert answer is not None and answer.status == 200
    assert answer.header("access-control-allow-methods") == "GET, DELETE, HEAD, OPTIONS, PATCH, POST, PUT"
    assert answer.header("content-length") == "0"
    assert preflight_response(get(("Origin", APP), method="OPTIONS"), PREFLIGHT) is None  # no request method
    assert preflight_response(preflight("https://evil.example.net"), LISTED) is None
    assert preflight_response(preflight(), SECURITY) is None


TIMED = ResponseHeadersPolicy("t", server_timing=True, server_timing_rate=25.0)


@pytest.mark.parametrize(
    ("policy", "request_", "draw", "expected"),
    [
        (TIMED, get(), 0.1, True),
        (TIMED, get(), 0.3, False),
        (TIMED, get(("Pragma", "no-cache, server-timing")), 0.99, True),
        (
            ResponseHeadersPolicy("z", server_timing=True, server_timing_rate=0),
            get(("Pragma", "server-timing")),
            0.5,
            True,
        ),
        (SECURITY, get(("Pragma", "server-timing")), 0.0, False),
    ],
)
def test_server_timing_sampling(policy, request_, draw, expected):
    assert server_timing_wanted(policy, request_, draw=draw) is expected


def test_server_timing_joins_the_origins_on_a_miss_only():
    origin = [("Server-Timing", "db;dur=53")]
    miss = apply_policy(origin, TIMED, get(), server_timing="cdn-cache-miss")
    hit = apply_policy(origin, TIMED, get(), server_timing="cdn-cache-hit", cache_hit=True)
    assert header_values(miss, "server-timing") == ["cdn-cache-miss, db;dur=53"]
    assert header_values(hit, "server-timing") == ["cdn-cache-hit"]
    assert header_values(apply_policy(origin, SECURITY, get(), server_timing="x"), "server-timing") == ["db;dur=53"]
