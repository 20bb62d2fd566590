"""Lambda proxy events (REST payload 1.0, HTTP API payload 2.0) and the proxy responses they come back as."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import functools
import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, unquote_plus

from localcloud.model import HttpRequest, HttpResponse

log = logging.getLogger(__name__)


class MalformedResponse(Exception):
    """The function answered something API Gateway cannot turn into an HTTP response."""


@dataclass
class RequestInfo:
    """What every stage of the pipeline reads about one request, parsed once."""

    req: HttpRequest
    api_id: str
    stage: str
    path: str  # the path after /{apiId}/{stage}, percent-encoded as received, starting with "/"
    request_id: str
    now: float
    domain: str
    identity: dict[str, Any] = field(default_factory=dict)  # requestContext.identity fields auth established

    @property
    def method(self) -> str:
        return self.req.method.upper()

    def header_lists(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.req.headers:
            out.setdefault(k, []).append(v)
        return out

    def header(self, name: str) -> str | None:
        return self.req.header(name)

    def query_lists(self, plus_is_space: bool = False) -> dict[str, list[str]]:
        decode = unquote_plus if plus_is_space else unquote
        out: dict[str, list[str]] = {}
        for part in self.req.query.split("&") if self.req.query else []:
            if not part:
                continue
            key, _, value = part.partition("=")
            out.setdefault(decode(key), []).append(decode(value))
        return out


@functools.lru_cache(maxsize=4096)
def resource_id(resource: str) -> str:
    return hashlib.sha1(resource.encode(), usedforsecurity=False).hexdigest()[:6]


def request_time(now: float) -> str:
    return _format_second(int(now // 1))  # the format has whole seconds: one strftime per second


@functools.lru_cache(maxsize=4)
def _format_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def is_binary(content_type: str | None, binary_types: list[str]) -> bool:
    if not content_type or not binary_types:
        return False
    mime = content_type.split(";")[0].strip().lower()
    return any(fnmatch.fnmatch(mime, pattern.lower()) for pattern in binary_types)


def encode_body(body: bytes, binary: bool) -> tuple[str | None, bool]:
    if not body:
        return None, False
    if binary:
        return base64.b64encode(body).decode(), True
    return body.decode("utf-8", errors="replace"), False


def rest_event(
    info: RequestInfo,
    *,
    resource: str,
    path_params: dict[str, str],
    stage_vars: dict[str, str],
    authorizer: dict[str, Any] | None,
    binary_types: list[str],
    account_id: str,
) -> dict[str, Any]:
    """Payload format 1.0, as a REST API's Lambda proxy integration sends it."""
    headers_multi = info.header_lists()
    query_multi = info.query_lists()
    body, b64 = encode_body(info.req.body, is_binary(info.header("content-type"), binary_types))
    user_agent = info.header("user-agent")
    return {
        "resource": resource,
        "path": info.path,
        "httpMethod": info.method,
        "headers": {k: v[-1] for k, v in headers_multi.items()} or None,
        "multiValueHeaders": headers_multi or None,
        "queryStringParameters": {k: v[-1] for k, v in query_multi.items()} or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": path_params or None,
        "stageVariables": stage_vars or None,
        "requestContext": {
            "accountId": account_id,
            "apiId": info.api_id,
            "resourceId": resource_id(resource),
            "resourcePath": resource,
            "httpMethod": info.method,
            "path": f"/{info.stage}{info.path}",
            "stage": info.stage,
            "requestId": info.request_id,
            "extendedRequestId": extended_request_id(info.request_id),
            "requestTime": request_time(info.now),
            "requestTimeEpoch": int(info.now * 1000),
            "protocol": "HTTP/1.1",
            "domainName": info.domain,
            "domainPrefix": info.domain.split(".")[0],
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": info.req.client_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": user_agent,
                "user": None,
                "apiKey": None,
                "apiKeyId": None,
                "clientCert": None,
                **info.identity,
            },
            "authorizer": authorizer,
        },
        "body": body,
        "isBase64Encoded": b64,
    }


def extended_request_id(request_id: str) -> str:
    return base64.b64encode(hashlib.sha1(request_id.encode(), usedforsecurity=False).digest()[:12]).decode()


def http_event(
    info: RequestInfo,
    *,
    route_key: str,
    path_params: dict[str, str],
    stage_vars: dict[str, str],
    authorizer: dict[str, Any] | None,
    binary_types: list[str],
    account_id: str,
) -> dict[str, Any]:
    """Payload format 2.0, as an HTTP API's Lambda integration sends it."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for k, v in info.req.headers:
        name = k.lower()
        if name == "cookie":
            cookies += [c.strip() for c in v.split(";") if c.strip()]
            continue
        headers[name] = f"{headers[name]},{v}" if name in headers else v
    query = {k: ",".join(v) for k, v in info.query_lists(plus_is_space=True).items()}
    raw_path = unquote(info.path) if info.stage == "$default" else unquote(f"/{info.stage}{info.path}")
    body, b64 = encode_body(info.req.body, is_binary(info.header("content-type"), binary_types))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": info.req.query,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": info.api_id,
            "domainName": info.domain,
            "domainPrefix": info.domain.split(".")[0],
            "http": {
                "method": info.method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": info.req.client_ip,
                "userAgent": info.header("user-agent") or "",
            },
            "requestId": info.request_id,
            "routeKey": route_key,
            "stage": info.stage,
            "time": request_time(info.now),
            "timeEpoch": int(info.now * 1000),
        },
        "isBase64Encoded": b64,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = path_params
    if stage_vars:
        event["stageVariables"] = stage_vars
    if authorizer is not None:
        event["requestContext"]["authorizer"] = authorizer
    if body is not None:
        event["body"] = body
    return event


def _decode_body(body: Any, b64: Any) -> bytes:
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse(f"body must be a string, got {type(body).__name__}")
    if b64 is True or str(b64).lower() == "true":
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("isBase64Encoded is true but the body is not base64") from None
    return body.encode()


def _status(value: Any) -> int:
    if isinstance(value, bool):
        raise MalformedResponse("statusCode must be an integer")
    try:
        status = int(value)
    except (TypeError, ValueError):
        raise MalformedResponse(f"statusCode must be an integer, got {value!r}") from None
    if not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode {status} is out of range")
    return status


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header values must be strings, got {type(value).__name__}")


def rest_response(payload: Any) -> HttpResponse:
    """A REST proxy response (statusCode, headers, multiValueHeaders, body, isBase64Encoded) → HTTP."""
    if not isinstance(payload, dict) or "statusCode" not in payload:
        raise MalformedResponse("the response must be an object with a statusCode")
    status = _status(payload["statusCode"])
    headers: list[tuple[str, str]] = []
    single = payload.get("headers") or {}
    multi = payload.get("multiValueHeaders") or {}
    if not isinstance(single, dict) or not isinstance(multi, dict):
        raise MalformedResponse("headers and multiValueHeaders must be objects")
    multi_lower = {k.lower() for k in multi}
    for k, v in single.items():
        if k.lower() not in multi_lower:
            headers.append((k, _header_value(v)))
    for k, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse("multiValueHeaders values must be lists")
        headers += [(k, _header_value(v)) for v in values]
    return HttpResponse(status, headers, _decode_body(payload.get("body"), payload.get("isBase64Encoded")))


def http_response(payload: Any) -> HttpResponse:
    """An HTTP API payload 2.0 response, including the shorthand (any JSON without a statusCode)."""
    if not (isinstance(payload, dict) and "statusCode" in payload):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        return HttpResponse(200, [("content-type", "application/json")], body.encode())
    status = _status(payload["statusCode"])
    headers_in = payload.get("headers") or {}
    if not isinstance(headers_in, dict):
        raise MalformedResponse("headers must be an object")
    headers = [(k, _header_value(v)) for k, v in headers_in.items()]
    for k, values in (payload.get("multiValueHeaders") or {}).items():
        headers += [(k, _header_value(v)) for v in values or ()]
    cookies = payload.get("cookies") or []
    if not isinstance(cookies, list):
        raise MalformedResponse("cookies must be a list")
    headers += [("set-cookie", str(c)) for c in cookies]
    if not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(status, headers, _decode_body(payload.get("body"), payload.get("isBase64Encoded")))
