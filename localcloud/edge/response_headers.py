"""A response headers policy applied to a response on its way to the viewer, on hits and misses alike.

"Understand response headers policies": headers to remove go first, then the CORS, security and custom
headers are added; each added header replaces the origin's only when its Override is true, and is added
whenever the origin's response (after removal) lacks it. Removing Server or Date makes CloudFront add its
own (`Server: CloudFront`). CORS headers answer CORS requests (those with an Origin the policy allows);
Access-Control-Allow-Methods, -Allow-Headers and -Max-Age answer preflights alone, as the page ties them
to "responses to CORS preflight requests".
"""

from __future__ import annotations

from localcloud.edge.httpfields import format_http_date
from localcloud.edge.model import EdgeRequest, EdgeResponse, Headers, header, header_values, replaced, without
from localcloud.edge.response_policy import CorsConfig, ResponseHeadersPolicy


def is_preflight(request: EdgeRequest) -> bool:
    return (
        request.method.upper() == "OPTIONS"
        and request.header("origin") is not None
        and request.header("access-control-request-method") is not None
    )


def origin_allowed(origin: str, allowed: tuple[str, ...]) -> bool:
    """Whether a request's Origin is in AccessControlAllowOrigins: `*`, an exact origin, or a leftmost
    `*.` wildcard such as `*.example.org` or `https://*.example.org` (any subdomain, not the apex)."""
    origin = origin.strip().lower()
    scheme, _, host = origin.rpartition("://")
    for item in (a.strip().lower() for a in allowed):
        if item in ("*", origin):
            return True
        want_scheme, _, want_host = item.rpartition("://")
        if want_host.startswith("*.") and host.endswith(want_host[1:]) and want_scheme in ("", scheme):
            return True
    return False


def _cors_headers(request: EdgeRequest, cors: CorsConfig) -> list[tuple[str, str]]:
    origin = request.header("origin")
    if origin is None or not origin_allowed(origin, cors.allow_origins):
        return []
    # With credentials a browser refuses `*`, so the origin is echoed then; AWS's page is silent on it.
    wildcard = "*" in cors.allow_origins and not cors.allow_credentials
    added = [("Access-Control-Allow-Origin", "*" if wildcard else origin.strip())]
    if cors.allow_credentials:
        added.append(("Access-Control-Allow-Credentials", "true"))
    if cors.expose_headers:
        added.append(("Access-Control-Expose-Headers", ", ".join(cors.expose_headers)))
    if is_preflight(request):
        if cors.allow_methods:
            added.append(("Access-Control-Allow-Methods", ", ".join(cors.allow_methods)))
        if cors.allow_headers:
            added.append(("Access-Control-Allow-Headers", ", ".join(cors.allow_headers)))
        if cors.max_age is not None:
            added.append(("Access-Control-Max-Age", str(cors.max_age)))
    return added


def apply_policy(
    response_headers: Headers,
    policy: ResponseHeadersPolicy,
    request: EdgeRequest,
    *,
    server_timing: str | None = None,
    cache_hit: bool = False,
    now: float | None = None,
) -> Headers:
    """The viewer's response headers under `policy`.

    `server_timing` is CloudFront's own metrics (`cdn-cache-miss,cdn-pop;desc="..."`) when the pipeline
    decided to send Server-Timing (see `server_timing_wanted`); on a miss the origin's Server-Timing
    value follows them in the one header, on a hit only CloudFront's metrics are sent. `now` dates the
    Date header CloudFront adds back when the policy removes the origin's.
    """
    headers = without(response_headers, *policy.remove)
    removed = {name.lower() for name in policy.remove}
    additions: list[tuple[str, str, bool]] = []
    if policy.cors is not None:
        additions += [(name, value, policy.cors.override) for name, value in _cors_headers(request, policy.cors)]
    additions += policy.security.items()
    additions += [(h.name, h.value, h.override) for h in policy.custom]
    for name, value, override in additions:
        if override or header(headers, name) is None:
            headers = replaced(headers, name, value)
    if "server" in removed and header(headers, "server") is None:
        headers.append(("Server", "CloudFront"))
    if "date" in removed and header(headers, "date") is None and now is not None:
        headers.append(("Date", format_http_date(now)))
    if server_timing is not None and policy.server_timing:
        from_origin = [] if cache_hit else header_values(headers, "server-timing")
        headers = replaced(headers, "Server-Timing", ", ".join([server_timing, *from_origin]))
    return headers


def server_timing_wanted(policy: ResponseHeadersPolicy, request: EdgeRequest, *, draw: float) -> bool:
    """Whether this response carries Server-Timing: `draw` (uniform in [0, 1), chosen by the caller) falls
    under the sampling rate, or the viewer sent `Pragma: server-timing`, which works at any rate."""
    if not policy.server_timing:
        return False
    pragma = ",".join(header_values(request.headers, "pragma")).lower()
    if "server-timing" in {token.strip() for token in pragma.split(",")}:
        return True
    return draw * 100 < policy.server_timing_rate


def preflight_response(request: EdgeRequest, policy: ResponseHeadersPolicy) -> EdgeResponse | None:
    """A 200 answering a CORS preflight at the edge, or None when this is not a preflight the policy allows.

    AWS does not say whether CloudFront answers preflights itself or adds the headers to the origin's
    OPTIONS response (which `apply_policy` does too). The pipeline uses this where the origin cannot
    answer OPTIONS: the response carries the same headers `apply_policy` would add to an empty response.
    """
    if policy.cors is None or not is_preflight(request):
        return None
    if not origin_allowed(request.header("origin") or "", policy.cors.allow_origins):
        return None
    return EdgeResponse(200, apply_policy([("Content-Length", "0")], policy, request))
