"""Lambda@Edge's header and origin shapes: built for the event, read and checked in a function's result.

Headers are `{"lowercase-name": [{"key": "Name", "value": ...}]}`; a result may leave `key` out, and
CloudFront inserts the name in initial capitals ("Lambda@Edge event structure"). A `key` that is not
the same name as its field fails validation.

An origin-request function may send the request to another origin by rewriting `request.origin`
("Lambda@Edge event structure" > "Dynamic origin selection"). The object holds exactly one of
`custom` or `s3`, with the documented fields and ranges; a function that breaks them fails validation
(502). Headers in `customHeaders` follow the request-header rules and the list of "Custom headers that
CloudFront can't add to origin requests", and must not repeat a request header.

One documented rule is not enforced: a custom origin's domain name "can't be an IP address" and can't
hold a colon, but every origin localcloud reaches is on loopback, often as 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from localcloud.edge.function_rules import check_header, invalid, is_disallowed, title_case
from localcloud.edge.model import Headers

# "Custom headers that CloudFront can't add to origin requests" (in "Add custom headers to origin requests").
CUSTOM_HEADER_DENYLIST = frozenset(
    {
        "cache-control",
        "connection",
        "content-length",
        "cookie",
        "host",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "max-forwards",
        "pragma",
        "proxy-authorization",
        "proxy-connection",
        "range",
        "request-range",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
        "x-real-ip",
    }
)
SSL_PROTOCOLS = ("TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3")


def edge_headers(headers: Iterable[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    """`{"lowercase-name": [{"key": "Name-As-Sent", "value": ...}, ...]}`, the Lambda@Edge header shape."""
    out: dict[str, list[dict[str, str]]] = {}
    for key, value in headers:
        out.setdefault(key.lower(), []).append({"key": key, "value": value})
    return out


def read_headers(result: Any, what: str = "headers") -> Headers:
    """A function's headers object back as (name, value) pairs, each checked; a missing key is inserted."""
    if not isinstance(result, dict):
        raise invalid(f"{what} must be an object of lowercase names to lists of {{key, value}}")
    headers: Headers = []
    for name, entries in result.items():
        if not isinstance(entries, list):
            raise invalid(f"{what}.{name} must be a list of {{key, value}} objects")
        for entry in entries:
            if not isinstance(entry, dict):
                raise invalid(f"{what}.{name} must be a list of {{key, value}} objects")
            key = entry.get("key") or title_case(name)
            if not isinstance(key, str) or key.lower() != name:
                raise invalid(f"{what}.{name} has the key {key!r}, which is not that name")
            headers.append((key, check_header(key, entry.get("value"))))
    return headers


def custom_origin(
    domain_name: str,
    *,
    port: int = 443,
    protocol: str = "https",
    path: str = "",
    keepalive_timeout: int = 5,
    read_timeout: int = 30,
    ssl_protocols: Iterable[str] = ("TLSv1.2",),
    custom_headers: Iterable[tuple[str, str]] = (),
) -> dict:
    return {
        "custom": {
            "customHeaders": edge_headers(custom_headers),
            "domainName": domain_name,
            "keepaliveTimeout": keepalive_timeout,
            "path": path,
            "port": port,
            "protocol": protocol,
            "readTimeout": read_timeout,
            "sslProtocols": list(ssl_protocols),
        }
    }


def s3_origin(
    domain_name: str,
    *,
    path: str = "",
    region: str = "",
    auth_method: str = "none",
    custom_headers: Iterable[tuple[str, str]] = (),
) -> dict:
    """An S3 origin as the event shows it; `authMethod` is for OAI, so an OAC origin shows "none"."""
    return {
        "s3": {
            "authMethod": auth_method,
            "customHeaders": edge_headers(custom_headers),
            "domainName": domain_name,
            "path": path,
            "region": region,
        }
    }


def check_origin(origin: Any, request_headers: Headers) -> dict:
    """The origin a function chose, validated as documented ("Fields in the request object" > origin)."""
    if not isinstance(origin, dict) or len(origin) != 1 or next(iter(origin)) not in ("custom", "s3"):
        raise invalid("origin must hold exactly one of custom or s3")
    kind, spec = next(iter(origin.items()))
    if not isinstance(spec, dict):
        raise invalid(f"origin.{kind} must be an object")
    domain = spec.get("domainName")
    if not isinstance(domain, str) or not domain:
        raise invalid("origin.domainName can't be empty")
    if kind == "s3" and (len(domain) > 128 or domain != domain.lower()):
        raise invalid("an S3 origin's domainName is lowercase and at most 128 characters")
    if kind == "custom" and len(domain) > 253:
        raise invalid("a custom origin's domainName is at most 253 characters")
    path = spec.get("path", "")
    if not isinstance(path, str) or (path and (not path.startswith("/") or path.endswith("/"))):
        raise invalid("origin.path starts with '/' and doesn't end with one (or is empty)")
    if kind == "custom":
        _check_custom(spec)
    else:
        _check_s3(spec)
    custom = read_headers(spec.get("customHeaders", {}), "origin.customHeaders")
    shown = {k.lower() for k, _ in request_headers}
    for key, _ in custom:
        name = key.lower()
        if is_disallowed(name) or name in CUSTOM_HEADER_DENYLIST or name.startswith(("x-amz-", "x-edge-")):
            raise invalid(f"CloudFront can't add the custom origin header {key}")
        if name in shown:
            raise invalid(f"the custom origin header {key} is also a request header")
    return origin


def _check_custom(spec: dict) -> None:
    if len(spec.get("path", "")) > 255:
        raise invalid("a custom origin's path is at most 255 characters")
    port = spec.get("port")
    if not isinstance(port, int) or not (port in (80, 443) or 1024 <= port <= 65535):
        raise invalid("origin.port must be 80, 443 or 1024-65535")
    if spec.get("protocol") not in ("http", "https"):
        raise invalid("origin.protocol must be http or https")
    if not _in_range(spec.get("readTimeout"), 4, 60):
        raise invalid("origin.readTimeout must be 4-60")
    if not _in_range(spec.get("keepaliveTimeout"), 1, 60):
        raise invalid("origin.keepaliveTimeout must be 1-60")
    protocols = spec.get("sslProtocols")
    if not isinstance(protocols, list) or not protocols or not set(protocols) <= set(SSL_PROTOCOLS):
        raise invalid(f"origin.sslProtocols must be a list drawn from {', '.join(SSL_PROTOCOLS)}")


def _check_s3(spec: dict) -> None:
    method = spec.get("authMethod", "none")
    if method not in ("origin-access-identity", "none"):
        raise invalid("origin.authMethod must be origin-access-identity or none")
    if method == "origin-access-identity" and not spec.get("region"):
        raise invalid("origin.region is required with origin-access-identity")


def _in_range(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
