"""The cache key of a viewer request, and the request CloudFront sends to the origin on a miss.

Both are built from the same selection rules (`viewer`), so every value in the key reaches the origin,
and the origin request policy adds values without touching the key ("Understand the cache key",
"Understand how origin request policies and cache policies work together", "HTTP request headers and
CloudFront behavior (custom and Amazon S3 origins)", "Request and response behavior for custom origins").
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping

from localcloud.edge.model import EdgeRequest, Headers, header, header_values
from localcloud.edge.policies import CachePolicy, OriginRequestPolicy, ParamConfig
from localcloud.edge.viewer import (
    Viewer,
    cloudfront_header,
    compression_keyed,
    cookies,
    normalised_accept_encoding,
    query_params,
    select,
)

# Never passed on: hop-by-hop fields (RFC 9110 §7.6.1) and what the header table says CloudFront removes
# whatever the policies say. CloudFront's `Connection: Keep-Alive` is left to the origin client.
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade"}
)  # fmt: skip
ALWAYS_REMOVED = frozenset({"expect", "x-forwarded-proto", "x-real-ip", "x-amz-cf-id"})
# Rebuilt by CloudFront rather than copied from the viewer.
REBUILT = frozenset({"host", "user-agent", "cookie", "via", "x-forwarded-for"})
# Describe the request itself, so they travel with it whatever the policies say. AWS does not list the
# "defaults that are included in every origin request"; these are the table's "CloudFront forwards the
# header" entries that carry the body or a write precondition.
ALWAYS_FORWARDED = frozenset({"content-length", "content-type", "content-md5", "if-match", "if-unmodified-since"})
# On a cacheable GET/HEAD the edge fetches the whole object and answers ranges and conditionals from it,
# unless the cache key itself names them; elsewhere they go to the origin as the header table says.
EDGE_ANSWERED = frozenset({"range", "if-range", "if-none-match", "if-modified-since"})
SIGNED_URL_PARAMS = frozenset({"Expires", "Key-Pair-Id", "Policy", "Signature"})
# Kept from S3 by the managed policies that forward query strings ("Use managed origin request policies").
S3_RESPONSE_PARAMS = frozenset({"response-content-type", "response-content-disposition", "response-content-encoding"})
# "Custom headers that CloudFront can't add to origin requests".
CUSTOM_HEADER_DENYLIST = frozenset(
    {"cache-control", "connection", "content-length", "cookie", "host", "if-match", "if-modified-since",
     "if-none-match", "if-range", "if-unmodified-since", "max-forwards", "pragma", "proxy-authorization",
     "proxy-connection", "range", "request-range", "te", "trailer", "transfer-encoding", "upgrade", "via",
     "x-real-ip"}
)  # fmt: skip


def _method_class(method: str) -> str:
    """GET and HEAD share cached objects; OPTIONS is "included in the cache key for OPTIONS requests"."""
    method = method.upper()
    return "GET" if method in ("GET", "HEAD") else method


def _keyed_headers(request: EdgeRequest, policy: CachePolicy, viewer: Viewer) -> list[list[object]]:
    if policy.headers.behavior != "whitelist":
        return []
    entries: list[list[object]] = []
    for name in sorted({n.lower() for n in policy.headers.names}):
        if name.startswith("cloudfront-"):
            generated = cloudfront_header(request, viewer, name)
            values = [] if generated is None else [generated]
        elif name == "host":
            values = [v.lower() for v in header_values(request.headers, "host")]
        else:
            values = header_values(request.headers, name)
        entries.append([name, values])
    return entries


def _selected_cookies(request: EdgeRequest, keyed: ParamConfig, extra: ParamConfig | None) -> list[tuple[str, str]]:
    """Selected cookies sorted by name: CloudFront "sorts the cookies in natural order by cookie name"."""
    pairs = cookies(request) or []
    chosen = [(n, v) for n, v in pairs if select(keyed, extra, n, case_sensitive=True)]
    return sorted(chosen, key=lambda pair: pair[0])


def _selected_query(querystring: str, keyed: ParamConfig, extra: ParamConfig | None) -> list[str]:
    return [raw for name, raw in query_params(querystring) if select(keyed, extra, name, case_sensitive=True)]


def cache_key(request: EdgeRequest, policy: CachePolicy, *, host: str, viewer: Viewer | None = None) -> str:
    """A deterministic string naming the cached object this request maps to.

    Query strings keep their order and case ("Always list parameters in the same order": reordered
    parameters are two objects); cookies are sorted by name; header names are case-insensitive, their
    values are not. `host` is the distribution's domain, part of every default key.
    """
    viewer = viewer or Viewer()
    keyed_encoding = normalised_accept_encoding(request, policy, http_version=viewer.http_version)
    parts = [
        _method_class(request.method),
        host.lower(),
        request.uri,
        _keyed_headers(request, policy, viewer),
        [f"{n}={v}" for n, v in _selected_cookies(request, policy.cookies, None)],
        _selected_query(request.querystring, policy.query_strings, None),
        keyed_encoding if compression_keyed(policy) and keyed_encoding != "identity" else None,
    ]
    return json.dumps(parts, separators=(",", ":"), ensure_ascii=False)


def via(distribution_domain: str, http_version: str = "1.1") -> str:
    """CloudFront's Via entry: `1.1 <alphanumeric>.cloudfront.net (CloudFront)` (custom origin responses)."""
    version = http_version.strip().upper().removeprefix("HTTP/")
    version = {"2": "2.0", "3": "3.0"}.get(version, version)
    tag = hashlib.md5(distribution_domain.lower().encode(), usedforsecurity=False).hexdigest()
    return f"{version} {tag}.cloudfront.net (CloudFront)"


def _cf_id(request: EdgeRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.uri}?{request.querystring} {request.client_ip}".encode())
    return base64.urlsafe_b64encode(digest.digest() + digest.digest()[:10]).decode()[:56]


def origin_custom_headers(items: Iterable[Mapping[str, str]]) -> Headers:
    """An origin's `OriginCustomHeaders` (`[{HeaderName, HeaderValue}]`), refusing what CloudFront refuses."""
    result: Headers = []
    for item in items:
        name = str(item["HeaderName"])
        lowered = name.lower()
        if lowered in CUSTOM_HEADER_DENYLIST or lowered.startswith(("x-amz-", "x-edge-")):
            raise ValueError(f"OriginCustomHeaders: CloudFront can't add {name} to origin requests")
        result.append((name, str(item.get("HeaderValue", ""))))
    return result


def _requested_cloudfront_headers(cache: CachePolicy, origin: OriginRequestPolicy | None) -> list[str]:
    names = list(cache.headers.names) if cache.headers.behavior == "whitelist" else []
    if origin is not None and origin.headers.behavior in ("whitelist", "allViewerAndWhitelistCloudFront"):
        names += origin.headers.names
    seen: dict[str, str] = {}
    for name in names:
        if name.lower().startswith("cloudfront-"):
            seen.setdefault(name.lower(), name)
    return list(seen.values())


def _authorization_kept(method: str, options_cached: bool) -> bool:
    """Authorization not named by a policy: removed for GET and HEAD, and for OPTIONS when OPTIONS is
    cached; kept for every other method (the header table's Authorization row)."""
    method = method.upper()
    if method in ("GET", "HEAD"):
        return False
    return not (method == "OPTIONS" and options_cached)


def _passed_viewer_headers(
    request: EdgeRequest,
    cache_policy: CachePolicy,
    chosen: Callable[[str], bool],
    options_cached: bool,
    *,
    drop_encoding: bool,
) -> Headers:
    """The viewer's own headers that go to the origin as they are, in the viewer's order."""
    method = request.method.upper()
    whole_object = method in ("GET", "HEAD") and not cache_policy.caching_disabled
    connection_named = {t.strip().lower() for v in header_values(request.headers, "connection") for t in v.split(",")}
    out: Headers = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered in HOP_BY_HOP or lowered in connection_named or lowered in ALWAYS_REMOVED or lowered in REBUILT:
            continue
        if lowered.startswith(("x-edge-", "cloudfront-")):
            continue  # a viewer cannot pose as CloudFront's generated headers
        if lowered == "accept-encoding" and drop_encoding:
            continue
        if lowered == "authorization":
            keep = chosen(lowered) or _authorization_kept(method, options_cached)
        elif lowered in EDGE_ANSWERED:  # an origin request policy cannot split the keyed object into ranges
            keep = cache_policy.headers.selects(lowered, case_sensitive=False) or not whole_object
        else:
            keep = lowered in ALWAYS_FORWARDED or chosen(lowered)
        if keep:
            out.append((name, value))
    return out


def origin_request(
    request: EdgeRequest,
    cache_policy: CachePolicy,
    origin_request_policy: OriginRequestPolicy | None,
    *,
    origin_host: str,
    viewer_protocol: str,
    distribution_domain: str,
    add_headers: Headers | Mapping[str, str] = (),
    viewer: Viewer | None = None,
    request_id: str | None = None,
    options_cached: bool = False,
    s3_origin: bool = False,
    signed_urls: bool = False,
) -> EdgeRequest:
    """The request CloudFront sends to the origin for `request`.

    `add_headers` are the origin's custom headers, which replace viewer headers of the same name.
    `request_id` becomes X-Amz-Cf-Id (derived from the request when not given). `viewer_protocol` feeds
    CloudFront-Forwarded-Proto; `viewer` carries the rest of what CloudFront knows about the viewer.
    """
    viewer = viewer or Viewer(protocol=viewer_protocol)
    if viewer.protocol != viewer_protocol:
        viewer = Viewer(viewer_protocol, viewer.http_version, viewer.port, viewer.extra)
    extra = origin_request_policy
    http10 = viewer.http_version.strip().upper().removeprefix("HTTP/") == "1.0"
    encoding_keyed = compression_keyed(cache_policy)

    def chosen(name: str) -> bool:
        return select(cache_policy.headers, extra.headers if extra else None, name, case_sensitive=False)

    out = _passed_viewer_headers(request, cache_policy, chosen, options_cached, drop_encoding=encoding_keyed or http10)
    viewer_host = header(request.headers, "host")
    out.insert(0, ("Host", viewer_host if chosen("host") and viewer_host else origin_host))
    if chosen("user-agent"):
        out += [("User-Agent", v) for v in header_values(request.headers, "user-agent")]
    else:
        out.append(("User-Agent", "Amazon CloudFront"))
    if encoding_keyed and not http10:
        normalised = normalised_accept_encoding(request, cache_policy, http_version=viewer.http_version)
        if normalised:
            out.append(("Accept-Encoding", normalised))
    kept_cookies = _selected_cookies(request, cache_policy.cookies, extra.cookies if extra else None)
    if kept_cookies:
        out.append(("Cookie", "; ".join(f"{n}={v}" for n, v in kept_cookies)))
    for name in _requested_cloudfront_headers(cache_policy, extra):
        generated = cloudfront_header(request, viewer, name)
        if generated is not None:
            out.append((name, generated))

    hops = header_values(request.headers, "via") if chosen("via") else []
    out.append(("Via", ", ".join([*hops, via(distribution_domain, viewer.http_version)])))
    forwarded_for = ",".join([*header_values(request.headers, "x-forwarded-for"), request.client_ip])
    out.append(("X-Forwarded-For", forwarded_for))
    out.append(("X-Amz-Cf-Id", request_id or _cf_id(request)))

    custom = list(add_headers.items()) if isinstance(add_headers, Mapping) else list(add_headers)
    replaced_names = {name.lower() for name, _ in custom}
    out = [(n, v) for n, v in out if n.lower() not in replaced_names] + custom

    params = _selected_query(request.querystring, cache_policy.query_strings, extra.query_strings if extra else None)
    if s3_origin and extra is not None and extra.managed:
        params = [p for p in params if p.split("=", 1)[0] not in S3_RESPONSE_PARAMS]
    if signed_urls:
        params = [p for p in params if p.split("=", 1)[0] not in SIGNED_URL_PARAMS]
    return EdgeRequest(
        method=request.method,
        uri=request.uri,
        querystring="&".join(params),
        headers=out,
        client_ip=request.client_ip,
        body=request.body,
    )
