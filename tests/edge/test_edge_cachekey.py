"""Cache keys and origin requests under the managed policies, custom policy pairs and legacy settings."""

from __future__ import annotations

import pytest

from localcloud.edge.cachekey import cache_key, origin_custom_headers, origin_request, via
from localcloud.edge.managed import lookup_cache_policy, lookup_origin_request_policy
from localcloud.edge.model import EdgeRequest, header, header_values
from localcloud.edge.policies import CachePolicy, OriginRequestPolicy, ParamConfig, legacy_policies
from localcloud.edge.viewer import Viewer

OPTIMIZED = lookup_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6")
UNCOMPRESSED = lookup_cache_policy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d")
DISABLED = lookup_cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
AMPLIFY = lookup_cache_policy("2e54312d-136d-493c-8eb9-b001f22f67d2")
ORIGIN_HEADERS_QS = lookup_cache_policy("4cc15a8a-d715-48a4-82b8-cc0b614638fe")
ALL_VIEWER = lookup_origin_request_policy("216adef6-5c7f-47e4-b989-5492eafa07d3")
ALL_VIEWER_CF = lookup_origin_request_policy("33f36d7e-f396-46d9-90e0-52428a34d9dc")
EXCEPT_HOST = lookup_origin_request_policy("b689b0a8-53d0-40ab-baf2-68738e2966ac")
CORS_S3 = lookup_origin_request_policy("88a5eaf4-2fd4-4709-b370-b4c650ea3fcf")
DIST = "d111111abcdef8.cloudfront.net"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


def req(method: str = "GET", uri: str = "/a.html", qs: str = "", headers=(), body: bytes = b"") -> EdgeRequest:
    return EdgeRequest(method, uri, qs, [("Host", DIST), *headers], client_ip="192.0.2.2", body=body)


def key(request: EdgeRequest, policy: CachePolicy = OPTIMIZED, **kwargs) -> str:
    return cache_key(request, policy, host=DIST, **kwargs)


def policy(**sections: ParamConfig) -> CachePolicy:
    return CachePolicy("custom", **sections)


SAME_KEY = [
    ("GET and HEAD share objects", req("GET"), req("HEAD"), OPTIMIZED),
    ("query strings are not in CachingOptimized's key", req(qs="a=1"), req(qs="b=2"), OPTIMIZED),
    ("cookies and other headers are not either", req(headers=[("Cookie", "s=1"), ("Accept-Language", "en")]), req(),
     OPTIMIZED),
    ("viewer Cache-Control is ignored", req(headers=[("Cache-Control", "no-cache")]), req(), OPTIMIZED),
    ("the normalised Accept-Encoding ignores order, case and other codings",
     req(headers=[("Accept-Encoding", "gzip, deflate, br")]), req(headers=[("accept-encoding", "BR;q=1.0,GZIP")]),
     OPTIMIZED),
    ("an Accept-Encoding without gzip or br is not keyed", req(headers=[("Accept-Encoding", "deflate")]), req(),
     OPTIMIZED),
    ("Accept-Encoding is not keyed without compression support", req(headers=[("Accept-Encoding", "gzip")]), req(),
     UNCOMPRESSED),
    ("header names are case-insensitive", req(headers=[("accept-language", "en")]),
     req(headers=[("ACCEPT-LANGUAGE", "en")]), policy(headers=ParamConfig("whitelist", ("Accept-Language",)))),
    ("cookies are sorted by name", req(headers=[("Cookie", "a=1; b=2")]), req(headers=[("Cookie", "b=2; a=1")]),
     policy(cookies=ParamConfig("all"))),
    ("unlisted query strings drop out", req(qs="lang=en&utm=x"), req(qs="utm=y&lang=en"),
     policy(query_strings=ParamConfig("whitelist", ("lang",)))),
    ("excluded query strings drop out", req(qs="lang=en&utm=x"), req(qs="lang=en"),
     policy(query_strings=ParamConfig("allExcept", ("utm",)))),
    ("a malformed Cookie header counts as none", req(headers=[("Cookie", "justtext")]), req(),
     policy(cookies=ParamConfig("all"))),
    ("the Host header's case", req(headers=[("Host", "Blog.Example.com")]), req(headers=[("Host", "blog.example.com")]),
     ORIGIN_HEADERS_QS),
]  # fmt: skip

DIFFERENT_KEY = [
    ("OPTIONS is cached apart", req("GET"), req("OPTIONS"), OPTIMIZED),
    ("the path is case-sensitive", req(uri="/A.html"), req(uri="/a.html"), OPTIMIZED),
    ("gzip and br are separate objects", req(headers=[("Accept-Encoding", "gzip")]),
     req(headers=[("Accept-Encoding", "gzip, br")]), OPTIMIZED),
    ("q=0 refuses a coding", req(headers=[("Accept-Encoding", "gzip;q=0, br")]),
     req(headers=[("Accept-Encoding", "gzip, br")]), OPTIMIZED),
    ("query string order matters", req(qs="a=1&b=2"), req(qs="b=2&a=1"), ORIGIN_HEADERS_QS),
    ("query string names are case-sensitive", req(qs="Color=red"), req(qs="color=red"), ORIGIN_HEADERS_QS),
    ("query string values are case-sensitive", req(qs="color=Red"), req(qs="color=red"), ORIGIN_HEADERS_QS),
    ("cookie values are case-sensitive", req(headers=[("Cookie", "s=A")]), req(headers=[("Cookie", "s=a")]),
     policy(cookies=ParamConfig("all"))),
    ("a header's absence differs from its empty value", req(headers=[("X-V", "")]), req(),
     policy(headers=ParamConfig("whitelist", ("X-V",)))),
    ("header values are case-sensitive", req(headers=[("X-V", "A")]), req(headers=[("X-V", "a")]),
     policy(headers=ParamConfig("whitelist", ("X-V",)))),
    ("Amplify keys on Authorization", req(headers=[("Authorization", "Bearer 1")]),
     req(headers=[("Authorization", "Bearer 2")]), AMPLIFY),
]  # fmt: skip


@pytest.mark.parametrize(("one", "other", "keyed_by"), [pytest.param(*c[1:], id=c[0]) for c in SAME_KEY])
def test_same_cache_key(one, other, keyed_by):
    assert key(one, keyed_by) == key(other, keyed_by)


@pytest.mark.parametrize(("one", "other", "keyed_by"), [pytest.param(*c[1:], id=c[0]) for c in DIFFERENT_KEY])
def test_different_cache_key(one, other, keyed_by):
    assert key(one, keyed_by) != key(other, keyed_by)


def test_cache_key_holds_the_distribution_path_and_normalised_encoding():
    text = key(req(headers=[("Accept-Encoding", "gzip, deflate, br")]))
    assert text == '["GET","d111111abcdef8.cloudfront.net","/a.html",[],[],[],"br,gzip"]'
    assert cache_key(req(), OPTIMIZED, host="other.example.com") != key(req())


def test_http10_viewer_gets_no_encoding_in_the_key():
    gzip = req(headers=[("Accept-Encoding", "gzip")])
    assert key(gzip, viewer=Viewer(http_version="1.0")) == key(req())


def test_generated_cloudfront_headers_enter_the_key():
    in_france = Viewer(extra={"CloudFront-Viewer-Country": "FR"})
    in_japan = Viewer(extra={"CloudFront-Viewer-Country": "JP"})
    assert key(req(), AMPLIFY, viewer=in_france) != key(req(), AMPLIFY, viewer=in_japan)
    assert '["cloudfront-viewer-country",["FR"]]' in key(req(), AMPLIFY, viewer=in_france)


def test_legacy_settings_key_on_what_they_forward():
    cache, _ = legacy_policies(
        {"ForwardedValues": {"QueryString": True, "QueryStringCacheKeys": ["lang"], "Headers": ["Accept-Language"]}}
    )
    assert key(req(qs="lang=en&x=1"), cache) == key(req(qs="x=2&lang=en"), cache)
    assert key(req(headers=[("Accept-Language", "en")]), cache) != key(req(headers=[("Accept-Language", "fr")]), cache)
    cookie_cache, _ = legacy_policies(
        {"ForwardedValues": {"Cookies": {"Forward": "whitelist", "WhitelistedNames": ["uid_*"]}}}
    )
    assert key(req(headers=[("Cookie", "uid_1=a; other=1")]), cookie_cache) == key(
        req(headers=[("Cookie", "uid_1=a; other=2")]), cookie_cache
    )
    assert key(req(headers=[("Cookie", "uid_1=a")]), cookie_cache) != key(
        req(headers=[("Cookie", "uid_2=a")]), cookie_cache
    )


# --- origin requests -------------------------------------------------------------------------------------

BROWSER = [
    ("User-Agent", IPHONE),
    ("Accept", "text/html"),
    ("Accept-Language", "en-GB"),
    ("Accept-Encoding", "gzip, deflate, br"),
    ("Referer", "https://example.org/"),
    ("Cookie", "session=abc; theme=dark"),
    ("Authorization", "Bearer token"),
    ("X-Custom", "1"),
    ("Origin", "https://app.example.com"),
    ("Range", "bytes=0-9"),
    ("If-None-Match", '"v1"'),
    ("Connection", "keep-alive, X-Hop"),
    ("X-Hop", "gone"),
    ("Keep-Alive", "timeout=5"),
    ("TE", "trailers"),
    ("Upgrade", "h2c"),
    ("Proxy-Authorization", "Basic x"),
    ("Expect", "100-continue"),
    ("X-Forwarded-Proto", "http"),
    ("X-Real-IP", "10.0.0.1"),
    ("X-Edge-Location", "spoof"),
    ("CloudFront-Viewer-Country", "XX"),
    ("X-Amz-Cf-Id", "spoof"),
    ("Via", "1.0 corporate-proxy"),
    ("X-Forwarded-For", "192.0.2.4,192.0.2.3"),
]


def send(request: EdgeRequest, cache: CachePolicy, origin: OriginRequestPolicy | None = None, **kwargs) -> EdgeRequest:
    defaults = {
        "origin_host": "bucket.s3.us-east-1.amazonaws.com",
        "viewer_protocol": "https",
        "distribution_domain": DIST,
        "request_id": "cf-id-1",
    }
    return origin_request(request, cache, origin, **{**defaults, **kwargs})


def names(request: EdgeRequest) -> set[str]:
    return {name.lower() for name, _ in request.headers}


CLOUDFRONT_ADDED = {"host", "user-agent", "via", "x-forwarded-for", "x-amz-cf-id"}
NEVER_SENT = {"connection", "x-hop", "keep-alive", "te", "upgrade", "proxy-authorization", "expect",
              "x-forwarded-proto", "x-real-ip", "x-edge-location", "cloudfront-viewer-country"}  # fmt: skip


def test_caching_optimized_alone_sends_only_cloudfronts_own_headers():
    sent = send(req(qs="a=1", headers=BROWSER), OPTIMIZED)
    assert names(sent) == CLOUDFRONT_ADDED | {"accept-encoding"}
    assert header(sent.headers, "host") == "bucket.s3.us-east-1.amazonaws.com"
    assert header(sent.headers, "user-agent") == "Amazon CloudFront"
    assert header(sent.headers, "accept-encoding") == "br,gzip"
    assert header(sent.headers, "x-forwarded-for") == "192.0.2.4,192.0.2.3,192.0.2.2"
    assert header(sent.headers, "via") == via(DIST)
    assert header(sent.headers, "x-amz-cf-id") == "cf-id-1"
    assert sent.querystring == ""


def test_all_viewer_sends_the_viewer_request_less_hop_by_hop_and_cloudfront_only_headers():
    sent = send(req("POST", qs="b=2&a=1", headers=BROWSER, body=b"{}"), DISABLED, ALL_VIEWER)
    assert not names(sent) & NEVER_SENT
    assert header(sent.headers, "host") == DIST
    assert header(sent.headers, "user-agent") == IPHONE
    assert header(sent.headers, "cookie") == "session=abc; theme=dark"
    assert header(sent.headers, "authorization") == "Bearer token"
    assert header(sent.headers, "accept-encoding") == "gzip, deflate, br"  # not normalised: compression is off
    assert header(sent.headers, "range") == "bytes=0-9"  # nothing is cached, so the origin answers it
    assert header(sent.headers, "via") == f"1.0 corporate-proxy, {via(DIST)}"
    assert header(sent.headers, "x-amz-cf-id") == "cf-id-1"
    assert (sent.querystring, sent.body, sent.method) == ("b=2&a=1", b"{}", "POST")


def test_all_viewer_except_host_sends_the_origins_domain():
    sent = send(req(headers=BROWSER), DISABLED, EXCEPT_HOST, origin_host="abc.execute-api.us-east-1.amazonaws.com")
    assert header(sent.headers, "host") == "abc.execute-api.us-east-1.amazonaws.com"
    assert header(sent.headers, "x-custom") == "1"


def test_a_cacheable_get_leaves_ranges_and_validators_to_the_edge():
    sent = send(req(headers=BROWSER), OPTIMIZED, ALL_VIEWER)
    assert header(sent.headers, "range") is None and header(sent.headers, "if-none-match") is None
    assert header(sent.headers, "accept-encoding") == "br,gzip"  # normalised even though AllViewer lists all


@pytest.mark.parametrize(
    ("method", "options_cached", "kept"),
    [("GET", False, False), ("HEAD", False, False), ("OPTIONS", True, False), ("OPTIONS", False, True),
     ("POST", False, True), ("PUT", False, True), ("PATCH", False, True), ("DELETE", False, True)],
)  # fmt: skip
def test_authorization_without_a_policy_follows_the_method(method, options_cached, kept):
    sent = send(req(method, headers=[("Authorization", "Bearer t")]), DISABLED, options_cached=options_cached)
    assert (header(sent.headers, "authorization") == "Bearer t") is kept


def test_request_framing_travels_without_a_policy():
    headers = [("Content-Type", "application/json"), ("Content-Length", "2"), ("If-Match", '"v3"'), ("X-Api-Key", "k")]
    sent = send(req("PUT", headers=headers, body=b"{}"), DISABLED)
    assert header(sent.headers, "content-type") == "application/json"
    assert header(sent.headers, "content-length") == "2"
    assert header(sent.headers, "if-match") == '"v3"'
    assert header(sent.headers, "x-api-key") is None  # custom headers need a policy


def test_keyed_values_reach_the_origin_and_the_origin_policy_adds_more():
    cache = policy(
        headers=ParamConfig("whitelist", ("Accept-Language",)), query_strings=ParamConfig("whitelist", ("lang",))
    )
    origin = OriginRequestPolicy(
        "o", ParamConfig("whitelist", ("X-Custom",)), query_strings=ParamConfig("whitelist", ("v",))
    )
    sent = send(req(qs="v=2&lang=en&x=9", headers=BROWSER), cache, origin)
    assert header(sent.headers, "accept-language") == "en-GB"
    assert header(sent.headers, "x-custom") == "1"
    assert header(sent.headers, "accept") is None
    assert sent.querystring == "v=2&lang=en"  # the viewer's order


@pytest.mark.parametrize(
    ("keyed", "extra", "expected"),
    [
        (ParamConfig("none"), ParamConfig("all"), "a=1; b=2; c=3"),
        (ParamConfig("whitelist", ("a",)), ParamConfig("allExcept", ("a",)), "a=1; b=2; c=3"),  # allowlist wins
        (ParamConfig("allExcept", ("a",)), ParamConfig("whitelist", ("a",)), "a=1; b=2; c=3"),  # allowlist wins
        (ParamConfig("allExcept", ("a",)), ParamConfig("allExcept", ("b",)), "c=3"),  # both block lists apply
        (ParamConfig("allExcept", ("a",)), ParamConfig("none"), "b=2; c=3"),
        (ParamConfig("whitelist", ("c",)), ParamConfig("whitelist", ("a",)), "a=1; c=3"),
        (ParamConfig("all"), ParamConfig("allExcept", ("a",)), "a=1; b=2; c=3"),
    ],
)
def test_cookie_policies_combine_as_the_policies_table_says(keyed, extra, expected):
    sent = send(
        req(headers=[("Cookie", "c=3; a=1; b=2")]), policy(cookies=keyed), OriginRequestPolicy("o", cookies=extra)
    )
    assert header(sent.headers, "cookie") == expected  # sorted by name


def test_cloudfront_headers_on_request():
    viewer = Viewer(http_version="2.0", port=46532, extra={"CloudFront-Viewer-Country": "GB"})
    sent = send(req(headers=[("User-Agent", IPHONE)]), DISABLED, ALL_VIEWER_CF, viewer=viewer, viewer_protocol="http")
    values = {name.lower(): value for name, value in sent.headers}
    assert values["cloudfront-forwarded-proto"] == "http"
    assert values["cloudfront-is-mobile-viewer"] == "true"
    assert values["cloudfront-is-ios-viewer"] == "true"
    assert values["cloudfront-is-desktop-viewer"] == "false"
    assert values["cloudfront-viewer-address"] == "192.0.2.2:46532"
    assert values["cloudfront-viewer-http-version"] == "2.0"
    assert values["cloudfront-viewer-country"] == "GB"
    assert "cloudfront-viewer-city" not in values  # nothing local knows it
    assert values["via"].startswith("2.0 ")


def test_desktop_and_tablet_detection():
    cf = OriginRequestPolicy(
        "o", ParamConfig("whitelist", ("CloudFront-Is-Desktop-Viewer", "CloudFront-Is-Tablet-Viewer"))
    )
    desktop = send(req(headers=[("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")]), DISABLED, cf)
    tablet = send(req(headers=[("User-Agent", "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)")]), DISABLED, cf)
    assert header(desktop.headers, "cloudfront-is-desktop-viewer") == "true"
    assert header(tablet.headers, "cloudfront-is-tablet-viewer") == "true"
    assert header(tablet.headers, "cloudfront-is-desktop-viewer") == "false"


def test_origin_custom_headers_replace_viewer_headers():
    sent = send(
        req(headers=[("X-Origin-Verify", "forged")]), DISABLED, ALL_VIEWER, add_headers={"X-Origin-Verify": "s3cr3t"}
    )
    assert header_values(sent.headers, "x-origin-verify") == ["s3cr3t"]


def test_origin_custom_headers_refuse_what_cloudfront_cannot_add():
    assert origin_custom_headers([{"HeaderName": "X-Origin-Verify", "HeaderValue": "v"}]) == [("X-Origin-Verify", "v")]
    for name in ("Host", "Cache-Control", "X-Amz-Date", "X-Edge-Location", "Via"):
        with pytest.raises(ValueError, match="can't add"):
            origin_custom_headers([{"HeaderName": name, "HeaderValue": "v"}])


def test_accept_encoding_normalisation_in_origin_requests():
    assert (
        header(send(req(headers=[("Accept-Encoding", "deflate")]), OPTIMIZED).headers, "accept-encoding") == "identity"
    )
    assert header(send(req(), OPTIMIZED).headers, "accept-encoding") is None
    http10 = send(req(headers=[("Accept-Encoding", "gzip")]), OPTIMIZED, viewer=Viewer(http_version="1.0"))
    assert header(http10.headers, "accept-encoding") is None
    gzip_only = CachePolicy("g", gzip=True)
    assert header(send(req(headers=[("Accept-Encoding", "br, gzip")]), gzip_only).headers, "accept-encoding") == "gzip"


def test_managed_policies_keep_s3_response_overrides_from_s3():
    qs = "response-content-type=text/plain&v=1&response-content-disposition=attachment"
    assert send(req(qs=qs), DISABLED, ALL_VIEWER, s3_origin=True).querystring == "v=1"
    assert send(req(qs=qs), DISABLED, ALL_VIEWER).querystring == qs
    custom = OriginRequestPolicy("mine", query_strings=ParamConfig("all"))
    assert send(req(qs=qs), DISABLED, custom, s3_origin=True).querystring == qs


def test_signed_url_parameters_stay_at_the_edge():
    qs = "v=1&Expires=1&Signature=s&Key-Pair-Id=k&Policy=p"
    assert send(req(qs=qs), ORIGIN_HEADERS_QS, signed_urls=True).querystring == "v=1"


def test_cors_s3_origin_sends_the_cors_request_headers():
    headers = [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "PUT"), ("Accept", "x")]
    sent = send(req("OPTIONS", headers=headers), OPTIMIZED, CORS_S3)
    assert header(sent.headers, "origin") == "https://app.example.com"
    assert header(sent.headers, "access-control-request-method") == "PUT"
    assert header(sent.headers, "accept") is None


def test_legacy_settings_forward_what_the_header_table_forwards():
    cache, origin = legacy_policies(
        {"ForwardedValues": {"QueryString": True, "QueryStringCacheKeys": ["lang"], "Headers": ["Accept-Language"]}}
    )
    sent = send(req(qs="x=1&lang=en", headers=BROWSER), cache, origin)
    assert sent.querystring == "x=1&lang=en"  # forwards all, keys on lang
    kept = names(sent)
    assert {"accept-language", "x-custom", "origin"} <= kept
    assert not kept & ({"accept", "referer", "cookie"} | NEVER_SENT)
    assert header(sent.headers, "user-agent") == "Amazon CloudFront"
    assert header(sent.headers, "authorization") is None  # a GET
    assert header(sent.headers, "accept-encoding") == "br,gzip"


def test_via_and_a_derived_request_id():
    assert via(DIST, "HTTP/2") == via(DIST, "2.0") != via(DIST)
    assert via(DIST).endswith(".cloudfront.net (CloudFront)") and via(DIST).startswith("1.1 ")
    one = origin_request(req(), OPTIMIZED, None, origin_host="o", viewer_protocol="https", distribution_domain=DIST)
    again = origin_request(req(), OPTIMIZED, None, origin_host="o", viewer_protocol="https", distribution_domain=DIST)
    assert header(one.headers, "x-amz-cf-id") == header(again.headers, "x-amz-cf-id")
    assert len(header(one.headers, "x-amz-cf-id") or "") == 56


def test_a_range_in_the_cache_key_goes_to_the_origin():
    ranged = policy(headers=ParamConfig("whitelist", ("Range",)))
    sent = send(req(headers=[("Range", "bytes=0-9")]), ranged)
    assert header(sent.headers, "range") == "bytes=0-9"
    assert key(req(headers=[("Range", "bytes=0-9")]), ranged) != key(req(headers=[("Range", "bytes=10-19")]), ranged)


def test_legacy_star_sends_every_viewer_header():
    cache, origin = legacy_policies({"ForwardedValues": {"QueryString": False, "Headers": ["*"]}})
    sent = send(req(headers=BROWSER), cache, origin)
    assert {"accept", "referer", "authorization", "range", "if-none-match"} <= names(sent)
    assert header(sent.headers, "host") == DIST and header(sent.headers, "user-agent") == IPHONE
