"""How long CloudFront keeps an origin response, and when an expired copy may stand in for a failing origin.

Sources, CloudFront Developer Guide: "Manage how long content stays in the cache (expiration)" (the TTL
table, Serve stale content), "How CloudFront processes HTTP 4xx and 5xx status codes from your origin"
(error caching) and "How CloudFront processes HTTP 3xx status codes from your origin".

`object_ttl` answers in seconds: None means do not store the response at all; 0 means store it already
stale (every request goes to the origin and nothing is collapsed onto it), which is what CloudFront does
with `no-cache`, `no-store` and `private` when MinTTL is 0: the copy is kept only so that, as the
expiration page warns, it can be served if the origin later becomes unreachable.
"""

from __future__ import annotations

from localcloud.edge.httpfields import cache_control, parse_http_date, seconds
from localcloud.edge.model import Headers, header
from localcloud.edge.policies import CachePolicy

DEFAULT_ERROR_CACHING_MIN_TTL = 10

# Cached with the TTL rules like a 200. 200/203/206 are the cacheable successes (206 is what a ranged
# origin fetch returns, "Use range requests"); 300, 301, 302, 303 follow "3xx are cached according to the
# settings in your distribution and the headers in the response". 204 and 410 are not covered by any
# CloudFront page: they are RFC 9110 §15.1's heuristically cacheable codes, and CloudFront is observed to
# cache them like a 200.
CACHED_LIKE_200 = frozenset({200, 203, 204, 206, 300, 301, 302, 303, 410})
# "CloudFront caches 307 and 308 responses only when you include the Cache-Control header".
NEED_CACHE_CONTROL = frozenset({307, 308})
# "HTTP 4xx and 5xx status codes that CloudFront caches": always, for the error caching minimum TTL.
ALWAYS_CACHED_ERRORS = frozenset({404, 414, 500, 501, 502, 503, 504})
# "...only if your origin returns a Cache-Control max-age or Cache-Control s-maxage header".
ERRORS_CACHED_WITH_MAX_AGE = frozenset({400, 403, 405, 412, 415})
# Object-level directives that forbid reuse. `no-cache="Set-Cookie"` and `private="X"` name fields, not
# the object ("Cache content based on cookies": no-cache="Set-Cookie" keeps the object cacheable).
_FIELD_SCOPED = ("no-cache", "private")


def _forbids_reuse(directives: dict[str, str | None]) -> bool:
    return "no-store" in directives or any(name in directives and directives[name] is None for name in _FIELD_SCOPED)


def _header_lifetime(directives: dict[str, str | None], headers: Headers, now: float) -> float | None:
    """s-maxage, else max-age, else Expires - now; None when the origin sent none of them."""
    for name in ("s-maxage", "max-age"):
        if name in directives:
            value = seconds(directives, name)
            if value is not None:
                return float(value)
    expires = header(headers, "expires")
    if expires is None:
        return None
    when = parse_http_date(expires)
    # An unparsable Expires (such as "0") means already expired (RFC 9111 §5.3); CloudFront says nothing.
    return 0.0 if when is None else max(0.0, when - now)


def object_ttl(
    status: int,
    response_headers: Headers,
    policy: CachePolicy,
    *,
    now: float,
    error_min_ttl: float | None = None,
    s3_origin: bool = False,
) -> float | None:
    """Seconds CloudFront keeps this response fresh; None when it is not stored. See the module docstring.

    `error_min_ttl` is the custom error response's ErrorCachingMinTTL for this status, None for the 10 s
    default. The viewer's own Cache-Control never reaches here: CloudFront ignores it ("Use headers to
    control cache duration": CloudFront ignores Cache-Control and Pragma in viewer requests).
    """
    if policy.caching_disabled:
        return None  # CachingDisabled caches nothing, errors and custom error pages included
    directives = cache_control(response_headers)
    if status in ALWAYS_CACHED_ERRORS or status in ERRORS_CACHED_WITH_MAX_AGE:
        return _error_ttl(status, directives, error_min_ttl, s3_origin)
    if status in NEED_CACHE_CONTROL:
        if header(response_headers, "cache-control") is None:
            return None
    elif status not in CACHED_LIKE_200:
        return None  # 304 refreshes a stored copy; 201, 202, 401, 409, 416, 429, 505... are never stored

    if _forbids_reuse(directives):
        # Honoured only with MinTTL 0; otherwise MinTTL applies ("Specify the amount of time").
        return 0.0 if policy.min_ttl == 0 else float(policy.min_ttl)
    lifetime = _header_lifetime(directives, response_headers, now)
    if lifetime is None:
        # No header: DefaultTTL, or the greater of MinTTL and DefaultTTL when MinTTL > 0.
        return float(max(policy.min_ttl, policy.default_ttl))
    return float(min(max(lifetime, policy.min_ttl), policy.max_ttl))


def _error_ttl(
    status: int, directives: dict[str, str | None], error_min_ttl: float | None, s3_origin: bool
) -> float | None:
    """The maximum of the error caching minimum TTL and s-maxage/max-age, as both error pages say.

    The behaviour's Min/MaxTTL do not enter: the documented rule names only those two values. A
    no-store on an always-cached error does not shorten the error caching minimum TTL (the error pages
    cache "status codes that are not restricted" and, like MinTTL, the floor is what CloudFront is observed
    to honour); with that minimum set to 0 the directive is honoured.
    """
    floor = DEFAULT_ERROR_CACHING_MIN_TTL if error_min_ttl is None else float(error_min_ttl)
    given = seconds(directives, "s-maxage")
    if given is None:
        given = seconds(directives, "max-age")
    if status in ERRORS_CACHED_WITH_MAX_AGE and given is None:
        return None
    if status == 501 and s3_origin and _forbids_reuse(directives):
        return None  # "CloudFront doesn't cache the HTTP 501 ... from an S3 origin when ... no-cache"
    if _forbids_reuse(directives) and floor == 0 and not given:
        return None
    ttl = max(floor, float(given or 0))
    return ttl if ttl > 0 else None


def _stale_window(headers: Headers, directive: str, policy: CachePolicy) -> float | None:
    value = seconds(cache_control(headers), directive)
    return None if value is None else float(min(value, policy.max_ttl))


def stale_copy_allowed(
    origin_status: int | None,
    stale_headers: Headers,
    policy: CachePolicy,
    *,
    now: float,
    expired_at: float,
) -> bool:
    """Whether an expired cached copy is served instead of what the origin answered.

    `origin_status` None means the origin did not answer (refused, timed out), which CloudFront counts as a
    5xx. Only a 5xx lets a stale copy through: after a 4xx CloudFront returns the 4xx. With
    `stale-if-error=N` on the stored copy it serves that copy for N seconds past expiry (0 forbids it),
    never past MaxTTL; without it, for as long as MaxTTL allows. The pipeline then keeps serving the stale
    copy for the error caching minimum TTL before it asks the origin again ("The requested object is in the
    edge cache").
    """
    if origin_status is not None and not 500 <= origin_status <= 599:
        return False
    if policy.caching_disabled:
        return False
    staleness = now - expired_at
    window = _stale_window(stale_headers, "stale-if-error", policy)
    limit = float(policy.max_ttl) if window is None else window
    return limit > 0 and staleness <= limit


def revalidate_window(stored_headers: Headers, policy: CachePolicy) -> float:
    """Seconds past expiry during which a stale copy is served while a refresh runs in the background
    (`stale-while-revalidate`, capped by MaxTTL: "Serve stale (expired) content"); 0 without the directive."""
    window = _stale_window(stored_headers, "stale-while-revalidate", policy)
    return window or 0.0


def fields_not_to_store(response_headers: Headers) -> frozenset[str]:
    """Lower-cased header names a `no-cache="…"` or `private="…"` directive keeps out of the stored copy."""
    directives = cache_control(response_headers)
    names: set[str] = set()
    for directive in ("no-cache", "private"):
        value = directives.get(directive)
        if value:
            names.update(part.strip().lower() for part in value.split(",") if part.strip())
    return frozenset(names)
