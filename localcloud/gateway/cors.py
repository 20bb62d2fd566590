"""CORS as HTTP APIs and Function URLs answer it from their configuration (keys in the HTTP API's
camelCase: allowOrigins, allowMethods, allowHeaders, exposeHeaders, maxAge, allowCredentials): the
preflight answered without calling the function, and the headers added to every other response."""

from __future__ import annotations

from localcloud.gateway.events import RequestInfo
from localcloud.model import HttpResponse


def is_preflight(cors: object, info: RequestInfo) -> bool:
    return isinstance(cors, dict) and info.method == "OPTIONS" and bool(info.header("access-control-request-method"))


def origin_allowed(cors: dict, origin: str | None) -> str | None:
    allowed = [str(o) for o in cors.get("allowOrigins") or []]
    if not origin:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def preflight(cors: dict, info: RequestInfo) -> HttpResponse:
    resp = HttpResponse(204, [])
    origin = origin_allowed(cors, info.header("origin"))
    if origin is None:
        return resp
    methods = [str(m).upper() for m in cors.get("allowMethods") or []]
    requested = str(info.header("access-control-request-method")).upper()
    if methods and "*" not in methods and requested not in methods:
        return resp
    resp.headers.append(("access-control-allow-origin", origin))
    resp.headers.append(("access-control-allow-methods", ",".join(methods) if methods else requested))
    if cors.get("allowHeaders"):
        resp.headers.append(("access-control-allow-headers", ",".join(cors["allowHeaders"])))
    if cors.get("maxAge") is not None:
        resp.headers.append(("access-control-max-age", str(cors["maxAge"])))
    if cors.get("allowCredentials"):
        resp.headers.append(("access-control-allow-credentials", "true"))
    return resp


def apply(cors: dict, info: RequestInfo, resp: HttpResponse) -> None:
    if info.method == "OPTIONS" and resp.status == 204:
        return
    origin = origin_allowed(cors, info.header("origin"))
    if origin is None:
        return
    resp.headers = [(k, v) for k, v in resp.headers if not k.lower().startswith("access-control-")]
    resp.headers.append(("access-control-allow-origin", origin))
    if cors.get("exposeHeaders"):
        resp.headers.append(("access-control-expose-headers", ",".join(cors["exposeHeaders"])))
    if cors.get("allowCredentials"):
        resp.headers.append(("access-control-allow-credentials", "true"))
