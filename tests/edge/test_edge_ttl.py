"""CloudFront's TTL rules, one row per rule of "Manage how long content stays in the cache (expiration)",
"How CloudFront processes HTTP 4xx and 5xx status codes" and "... HTTP 3xx status codes"."""

from __future__ import annotations

import pytest

from localcloud.edge.httpfields import format_http_date
from localcloud.edge.managed import lookup_cache_policy
from localcloud.edge.policies import CachePolicy
from localcloud.edge.ttl import fields_not_to_store, object_ttl, revalidate_window, stale_copy_allowed

NOW = 1_700_000_000.0
P0 = CachePolicy("min0", min_ttl=0, default_ttl=86_400, max_ttl=31_536_000)
P60 = CachePolicy("min60", min_ttl=60, default_ttl=300, max_ttl=3_600)
DISABLED = lookup_cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
OPTIMIZED = lookup_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6")  # 1 / 1 day / 1 year
ORIGIN_HEADERS = lookup_cache_policy("83da9c7e-98b4-4e11-a168-04f0df8e2c65")  # 0 / 0 / 1 year


def cc(value: str) -> list[tuple[str, str]]:
    return [("Cache-Control", value)]


def expires_in(seconds: float) -> list[tuple[str, str]]:
    return [("Expires", format_http_date(NOW + seconds))]


TTL_CASES = [
    # no caching header: DefaultTTL, or max(MinTTL, DefaultTTL)
    ("no header: DefaultTTL", 200, [], P0, {}, 86_400),
    ("no header, MinTTL > 0: greater of Min and Default", 200, [], P60, {}, 300),
    ("no header, MinTTL above DefaultTTL", 200, [], CachePolicy("m", 600, 300, 3_600), {}, 600),
    ("Cache-Control without max-age: DefaultTTL", 200, cc("public"), P60, {}, 300),
    ("unparsable max-age is ignored", 200, cc("max-age=soon"), P0, {}, 86_400),
    # max-age: min(value, MaxTTL), at least MinTTL
    ("max-age with MinTTL 0", 200, cc("max-age=100"), P0, {}, 100),
    ("max-age between Min and Max", 200, cc("max-age=100"), P60, {}, 100),
    ("max-age below MinTTL", 200, cc("max-age=10"), P60, {}, 60),
    ("max-age above MaxTTL", 200, cc("max-age=7200"), P60, {}, 3_600),
    ("max-age=0 with MinTTL 0: stored already stale", 200, cc("max-age=0"), P0, {}, 0),
    # s-maxage beats max-age
    ("s-maxage wins over max-age", 200, cc("max-age=100, s-maxage=50"), P0, {}, 50),
    ("s-maxage capped by MaxTTL", 200, cc("s-maxage=5000, max-age=10"), P60, {}, 3_600),
    ("s-maxage raised to MinTTL", 200, cc("s-maxage=1"), P60, {}, 60),
    ("s-maxage in a second Cache-Control field", 200, [*cc("max-age=100"), *cc("s-maxage=20")], P0, {}, 20),
    # Expires: only without max-age/s-maxage, capped by MaxTTL, at least MinTTL
    ("Expires with MinTTL 0", 200, expires_in(500), P0, {}, 500),
    ("Expires between Min and Max", 200, expires_in(500), P60, {}, 500),
    ("Expires sooner than MinTTL", 200, expires_in(10), P60, {}, 60),
    ("Expires later than MaxTTL", 200, expires_in(99_999), P60, {}, 3_600),
    ("Expires in the past with MinTTL 0", 200, expires_in(-50), P0, {}, 0),
    ("invalid Expires means expired", 200, [("Expires", "0")], P60, {}, 60),
    ("max-age beats Expires", 200, [*expires_in(9_000), *cc("max-age=30")], P0, {}, 30),
    ("s-maxage beats Expires", 200, [*expires_in(9_000), *cc("s-maxage=40")], P0, {}, 40),
    # no-cache / no-store / private: honoured only with MinTTL 0, else MinTTL
    ("no-cache, MinTTL 0", 200, cc("no-cache"), P0, {}, 0),
    ("no-store, MinTTL 0", 200, cc("no-store"), P0, {}, 0),
    ("private, MinTTL 0", 200, cc("private, max-age=600"), P0, {}, 0),
    ("no-cache, MinTTL > 0: MinTTL", 200, cc("no-cache"), P60, {}, 60),
    ("no-store with max-age, MinTTL > 0: MinTTL", 200, cc("no-store, max-age=600"), P60, {}, 60),
    ("private, CachingOptimized (MinTTL 1)", 200, cc("private"), OPTIMIZED, {}, 1),
    ('no-cache="Set-Cookie" names a field, not the object', 200, cc('no-cache="Set-Cookie", max-age=100'), P0, {}, 100),
    ('private="X-User" names a field, not the object', 200, cc('private="X-User", max-age=100'), P0, {}, 100),
    # CachingDisabled and the origin-headers policies
    ("CachingDisabled never stores", 200, cc("max-age=100"), DISABLED, {}, None),
    ("CachingDisabled stores no error either", 404, [], DISABLED, {}, None),
    ("UseOriginCacheControlHeaders without a header: DefaultTTL 0", 200, [], ORIGIN_HEADERS, {}, 0),
    ("UseOriginCacheControlHeaders with max-age", 200, cc("max-age=60"), ORIGIN_HEADERS, {}, 60),
    # statuses cached like 200
    ("203", 203, [], P0, {}, 86_400),
    ("204", 204, [], P0, {}, 86_400),
    ("206", 206, cc("max-age=5"), P0, {}, 5),
    ("300", 300, [], P0, {}, 86_400),
    ("301", 301, [], P0, {}, 86_400),
    ("302 is cached by the distribution's settings", 302, [], P0, {}, 86_400),
    ("303", 303, cc("max-age=9"), P0, {}, 9),
    ("410", 410, [], P0, {}, 86_400),
    # 307/308 only with Cache-Control
    ("307 without Cache-Control", 307, [], P0, {}, None),
    ("307 with only Expires", 307, expires_in(60), P0, {}, None),
    ("307 with max-age", 307, cc("max-age=30"), P0, {}, 30),
    ("308 with Cache-Control but no max-age", 308, cc("public"), P0, {}, 86_400),
    # never stored
    ("304 refreshes, it is not stored", 304, cc("max-age=30"), P0, {}, None),
    ("201", 201, cc("max-age=30"), P0, {}, None),
    ("401", 401, cc("max-age=30"), P0, {}, None),
    ("416", 416, cc("max-age=30"), P0, {}, None),
    ("429", 429, cc("max-age=30"), P0, {}, None),
    ("505", 505, [], P0, {}, None),
    # always-cached errors: max(error caching minimum TTL, s-maxage/max-age)
    ("404 for the 10 s default", 404, [], P0, {}, 10),
    ("414", 414, [], P0, {}, 10),
    ("500", 500, [], P0, {}, 10),
    ("501", 501, [], P0, {}, 10),
    ("502", 502, [], P0, {}, 10),
    ("503", 503, [], P0, {}, 10),
    ("504", 504, [], P0, {}, 10),
    ("404 with a custom ErrorCachingMinTTL", 404, [], P0, {"error_min_ttl": 30}, 30),
    ("404 max-age above the minimum", 404, cc("max-age=60"), P0, {}, 60),
    ("404 max-age below the minimum", 404, cc("max-age=5"), P0, {}, 10),
    ("404 s-maxage wins", 404, cc("max-age=1, s-maxage=120"), P0, {}, 120),
    ("404 ignores the behaviour's MinTTL", 404, [], P60, {}, 10),
    ("404 max-age is not capped by MaxTTL", 404, cc("max-age=999999"), P60, {}, 999_999),
    ("404 with ErrorCachingMinTTL 0 and no header", 404, [], P0, {"error_min_ttl": 0}, None),
    ("404 with ErrorCachingMinTTL 0 and max-age", 404, cc("max-age=20"), P0, {"error_min_ttl": 0}, 20),
    ("503 no-store still cached for the minimum", 503, cc("no-store"), P0, {}, 10),
    ("503 no-store with ErrorCachingMinTTL 0", 503, cc("no-store"), P0, {"error_min_ttl": 0}, None),
    ("501 from S3 with no-cache is not cached", 501, cc("no-cache"), P60, {"s3_origin": True}, None),
    ("501 from a custom origin with no-cache", 501, cc("no-cache"), P60, {}, 10),
    ("404 Expires does not count", 404, expires_in(900), P0, {}, 10),
    # errors cached only with max-age / s-maxage
    ("400 without max-age", 400, [], P0, {}, None),
    ("403 without max-age", 403, [], P0, {}, None),
    ("405 without max-age", 405, [], P0, {}, None),
    ("412 without max-age", 412, [], P0, {}, None),
    ("415 without max-age", 415, [], P0, {}, None),
    ("403 with only Expires", 403, expires_in(900), P0, {}, None),
    ("400 with max-age", 400, cc("max-age=30"), P0, {}, 30),
    ("403 with s-maxage", 403, cc("s-maxage=40"), P0, {}, 40),
    ("405 max-age below the minimum", 405, cc("max-age=3"), P0, {}, 10),
    ("412 with max-age", 412, cc("max-age=100"), P0, {"error_min_ttl": 5}, 100),
    ("415 with max-age=0 takes the minimum", 415, cc("max-age=0"), P0, {}, 10),
]  # fmt: skip


@pytest.mark.parametrize(("status", "headers", "policy", "kwargs", "expected"),
                         [pytest.param(*case[1:], id=case[0]) for case in TTL_CASES])  # fmt: skip
def test_object_ttl(status, headers, policy, kwargs, expected):
    assert object_ttl(status, headers, policy, now=NOW, **kwargs) == expected


STALE_CASES = [
    ("5xx serves the stale copy", 503, [], P0, 100, True),
    ("an unreachable origin counts as a 5xx", None, [], P0, 100, True),
    ("500", 500, [], P0, 1, True),
    ("4xx is returned, not the stale copy", 404, [], P0, 1, False),
    ("a 200 replaces the copy", 200, [], P0, 1, False),
    ("stale-if-error=0 forbids it", 502, cc("max-age=60, stale-if-error=0"), P0, 1, False),
    ("within stale-if-error", 502, cc("max-age=60, stale-if-error=60"), P0, 30, True),
    ("past stale-if-error", 502, cc("max-age=60, stale-if-error=60"), P0, 90, False),
    ("stale-if-error capped by MaxTTL", 504, cc("stale-if-error=99999"), P60, 4_000, False),
    ("without the directive, up to MaxTTL", None, [], P60, 3_000, True),
    ("without the directive, not past MaxTTL", None, [], P60, 4_000, False),
    ("CachingDisabled keeps nothing", 503, [], DISABLED, 1, False),
]


@pytest.mark.parametrize(("status", "headers", "policy", "staleness", "expected"),
                         [pytest.param(*case[1:], id=case[0]) for case in STALE_CASES])  # fmt: skip
def test_stale_copy_allowed(status, headers, policy, staleness, expected):
    assert stale_copy_allowed(status, headers, policy, now=NOW, expired_at=NOW - staleness) is expected


@pytest.mark.parametrize(
    ("headers", "policy", "expected"),
    [
        (cc("max-age=3600, stale-while-revalidate=600"), P0, 600),
        (cc("stale-while-revalidate=6000"), P60, 3_600),
        (cc("max-age=3600"), P0, 0),
    ],
)
def test_revalidate_window(headers, policy, expected):
    assert revalidate_window(headers, policy) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('no-cache="Set-Cookie, X-Trace", max-age=60', {"set-cookie", "x-trace"}),
        ('private="X-User"', {"x-user"}),
        ("no-cache", set()),
        ("max-age=60", set()),
    ],
)
def test_fields_not_to_store(value, expected):
    assert fields_not_to_store(cc(value)) == expected
