"""What CloudFront reads out of a viewer request: its cookies, its query string parameters, the normalised
Accept-Encoding, and the CloudFront-* headers it can generate about the viewer.

The cache key and the origin request both use these, so a value reaches the origin exactly as it was
keyed. Sources: "Understand cache policies" (compression support), "Cache content based on cookies",
"Cache content based on query string parameters", "Add CloudFront request headers".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from localcloud.edge.model import EdgeRequest, header_values
from localcloud.edge.policies import CachePolicy, ParamConfig

_COOKIE_PAIR = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+=")


def cookies(request: EdgeRequest) -> list[tuple[str, str]] | None:
    """The Cookie header's name/value pairs in order; None when a pair breaks the name=value format, which
    makes CloudFront drop the whole header ("Standard name-value pair format is required")."""
    pairs: list[tuple[str, str]] = []
    for field in header_values(request.headers, "cookie"):
        for part in field.split(";"):
            part = part.strip()
            if not part:
                continue
            if not _COOKIE_PAIR.match(part):
                return None
            name, _, value = part.partition("=")
            pairs.append((name, value))
    return pairs


def query_params(querystring: str) -> list[tuple[str, str]]:
    """`a=1&b&c=` → [("a", "a=1"), ("b", "b"), ("c", "c=")]: each raw parameter with its name, in order.

    Only `&` separates parameters; a `;` stays in the value ("Cache content based on query string
    parameters"). Names and values are compared raw and case-sensitively, as that page says.
    """
    return [(part.split("=", 1)[0], part) for part in querystring.split("&") if part]


def select(config: ParamConfig, extra: ParamConfig | None, name: str, *, case_sensitive: bool) -> bool:
    """Whether a viewer value goes to the origin when `config` (the cache key's section) and `extra` (the
    origin request policy's) are combined: either one including it is enough, except that two exclusion
    lists exclude the union of their names ("Understand how origin request policies and cache policies
    work together", the table's Block list / Block list cell)."""
    keyed = config.selects(name, case_sensitive=case_sensitive)
    if extra is None:
        return keyed
    sent = extra.selects(name, case_sensitive=case_sensitive)
    if config.behavior == "allExcept" and extra.behavior == "allExcept":
        return keyed and sent
    return keyed or sent


def _quality(params: str) -> float:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 1.0
    return 1.0


def _accepted(request: EdgeRequest) -> set[str]:
    """The codings the viewer accepts; `q=0` refuses one (RFC 9110 §12.5.3)."""
    codings: set[str] = set()
    for field in header_values(request.headers, "accept-encoding"):
        for item in field.split(","):
            coding, _, params = item.strip().partition(";")
            if _quality(params) > 0:
                codings.add(coding.strip().lower())
    return codings


def normalised_accept_encoding(request: EdgeRequest, policy: CachePolicy, *, http_version: str = "1.1") -> str | None:
    """The Accept-Encoding CloudFront keys on and forwards when the policy caches compressed objects:
    `br,gzip`, `br` or `gzip` for the enabled codings the viewer accepts, `identity` when it accepts none
    of them, None when the viewer sent no Accept-Encoding (or spoke HTTP/1.0, whose Accept-Encoding
    CloudFront removes: "Serve compressed files")."""
    if http_version.strip().upper().removeprefix("HTTP/") == "1.0":
        return None
    if not header_values(request.headers, "accept-encoding"):
        return None
    accepted = _accepted(request)
    chosen = [c for c, on in (("br", policy.brotli), ("gzip", policy.gzip)) if on and c in accepted]
    return ",".join(chosen) if chosen else "identity"


def compression_keyed(policy: CachePolicy) -> bool:
    """The normalised Accept-Encoding applies when a coding is enabled and the policy does not list
    Accept-Encoding as an ordinary header (then it is keyed and forwarded raw, and nothing is compressed)."""
    return (policy.gzip or policy.brotli) and not policy.headers.lists("accept-encoding", case_sensitive=False)


@dataclass(frozen=True)
class Viewer:
    """What the edge knows about the viewer's connection; `extra` holds values it cannot derive locally
    (CloudFront-Viewer-Country, -City, -ASN, -TLS, -JA3-Fingerprint, ...), keyed by header name."""

    protocol: str = "https"
    http_version: str = "1.1"
    port: int = 0
    extra: Mapping[str, str] | None = None


_TV = re.compile(r"smart-?tv|hbbtv|appletv|googletv|crkey|roku|web0s|netcast|tizen.*tv|bravia|aftb|aftt", re.I)
_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.I)
_MOBILE = re.compile(r"mobi|iphone|ipod|android.*mobile|windows phone|blackberry|opera mini", re.I)


def _device_flags(user_agent: str) -> dict[str, bool]:
    # CloudFront documents the headers, not its User-Agent rules; these are common UA heuristics.
    tv = bool(_TV.search(user_agent))
    tablet = bool(_TABLET.search(user_agent)) and not tv
    mobile = bool(_MOBILE.search(user_agent)) and not tv
    return {
        "cloudfront-is-android-viewer": "android" in user_agent.lower(),
        "cloudfront-is-ios-viewer": bool(re.search(r"iphone|ipad|ipod", user_agent, re.I)),
        "cloudfront-is-mobile-viewer": mobile,
        "cloudfront-is-tablet-viewer": tablet,
        "cloudfront-is-smarttv-viewer": tv,
        "cloudfront-is-desktop-viewer": not (tv or tablet or mobile),
    }


def cloudfront_header(request: EdgeRequest, viewer: Viewer, name: str) -> str | None:
    """The value CloudFront generates for the CloudFront-* header `name`; None when it would not add it
    (a location header with no value supplied, JA3 over plain HTTP)."""
    lowered = name.lower()
    for key, value in (viewer.extra or {}).items():
        if key.lower() == lowered:
            return value
    if lowered.startswith("cloudfront-is-"):
        flags = _device_flags(request.header("user-agent", "") or "")
        return None if lowered not in flags else ("true" if flags[lowered] else "false")
    if lowered == "cloudfront-forwarded-proto":
        return viewer.protocol.lower()
    if lowered == "cloudfront-viewer-address":
        return f"{request.client_ip}:{viewer.port}"
    if lowered == "cloudfront-viewer-http-version":
        return viewer.http_version
    if lowered == "cloudfront-viewer-header-order":
        return ":".join(key for key, _ in request.headers)[:7680]
    if lowered == "cloudfront-viewer-header-count":
        return str(len(request.headers))
    return None
