"""The CloudFront Functions event built from the edge's request and response, and a function's result
turned back into them ("CloudFront Functions event structure").

The event is `{"version": "1.0", "context", "viewer": {"ip"}, "request"[, "response"]}`:

- Header names are lowercase. Cookie and Set-Cookie are not headers here but `cookies` objects.
- Every query string parameter, header and cookie is `{"value": first}`, plus `"multiValue": [{"value"},
  ...]` (first value included) when it occurs more than once. Response cookies carry `"attributes"`.
- Query string names and values are shown as the viewer sent them, percent-encoding included.
- Disallowed headers are not shown; the response has no body ("Restrictions on all edge functions").

Turning a result back follows the documented multiValue rule: a changed `multiValue` array wins;
otherwise a changed `value` replaces the first value and the rest stay. A result that has `statusCode`
is a response (from a viewer-request function it short-circuits the origin); anything else must be a
request. Every rule a result can break (read-only method and headers, disallowed or malformed headers,
a bad URI, a body that is not valid base64) raises `EdgeFunctionError` with status 502.

For the pipeline: CloudFront runs no viewer-response function when the origin answered 400 or more
("Restrictions on all edge functions" > "HTTP status codes"), and a response a viewer-request function
generated skips the viewer-response function and the custom error pages.

Choices the docs leave open: header names a function adds must be lowercase ("must be lowercase when
they're added"), so an uppercase one fails validation; a parameter whose `multiValue` key was deleted
keeps only `value`; an empty query value is written back as a bare name (`?flag`); a string
`querystring` is taken as the raw query; when a viewer-response function replaces the body, Content-Length
is dropped so the server frames the new body; `statusDescription` has nowhere to go and is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from localcloud.edge.function_rules import (
    READ_ONLY,
    EdgeFunctionError,
    FunctionError,
    check_header,
    check_read_only,
    check_status,
    check_uri,
    decode_body,
    exposed,
    invalid,
    keep_hidden,
    phrase,
    title_case,
)
from localcloud.edge.model import EdgeRequest, EdgeResponse, Headers, header_values, without


def _function_errors[**P, R](apply: Callable[P, R]) -> Callable[P, R]:
    """The shared rules raise EdgeFunctionError; a CloudFront Function's caller expects FunctionError."""

    @wraps(apply)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return apply(*args, **kwargs)
        except EdgeFunctionError as err:
            if isinstance(err, FunctionError):
                raise
            raise FunctionError(err.message, err.status) from None

    return checked


def viewer_request_event(req: EdgeRequest, *, distribution_domain: str, distribution_id: str, request_id: str) -> dict:
    return {
        "version": "1.0",
        "context": _context("viewer-request", distribution_domain, distribution_id, request_id),
        "viewer": {"ip": req.client_ip},
        "request": _request(req),
    }


def viewer_response_event(
    req: EdgeRequest, resp: EdgeResponse, *, distribution_domain: str, distribution_id: str, request_id: str
) -> dict:
    return {
        "version": "1.0",
        "context": _context("viewer-response", distribution_domain, distribution_id, request_id),
        "viewer": {"ip": req.client_ip},
        "request": _request(req),
        "response": _response(resp),
    }


@_function_errors
def apply_request(result: dict, req: EdgeRequest) -> EdgeRequest | EdgeResponse:
    """A viewer-request function's result: the request to go on with, or a response for the viewer."""
    _check_object(result)
    if "statusCode" in result:
        return _generated(result)
    before = _request(req)
    if result.get("method", req.method) != req.method:
        raise invalid("the function changed the request method, which is read-only")
    querystring = _querystring(result.get("querystring", {}), before["querystring"], req.querystring)
    uri = check_uri(result.get("uri"), querystring)
    shown = without(exposed(req.headers), "cookie")
    headers = _headers(result.get("headers", {}), before["headers"], shown)
    check_read_only(READ_ONLY["viewer-request"], shown, headers)
    cookies = result.get("cookies", {})
    if cookies == before["cookies"]:
        headers += [(k, v) for k, v in req.headers if k.lower() == "cookie"]
    elif pairs := _merge(cookies, before["cookies"], "cookies"):
        headers.append(("Cookie", "; ".join(f"{name}={_string(item, name)}" for name, item in pairs)))
    return EdgeRequest(
        method=req.method,
        uri=uri,
        querystring=querystring,
        headers=keep_hidden(req.headers, headers),
        client_ip=req.client_ip,
        body=req.body,
    )


@_function_errors
def apply_response(result: dict, resp: EdgeResponse) -> EdgeResponse:
    """A viewer-response function's result: the response the viewer gets."""
    _check_object(result)
    if "statusCode" not in result:
        raise invalid("a viewer-response function must return a response object (with statusCode)")
    before = _response(resp)
    shown = without(exposed(resp.headers), "set-cookie")
    headers = _headers(result.get("headers", {}), before["headers"], shown)
    check_read_only(READ_ONLY["viewer-response"], shown, headers)
    headers += _set_cookies(result.get("cookies", {}), before["cookies"], resp.headers)
    body = resp.body
    if "body" in result:
        body = _body(result["body"])
        headers = without(headers, "content-length")
    status = check_status(result["statusCode"])
    return EdgeResponse(status=status, headers=keep_hidden(resp.headers, headers), body=body)


# --- building the event ---


def _context(event_type: str, domain: str, distribution_id: str, request_id: str) -> dict:
    return {
        "distributionDomainName": domain,
        "distributionId": distribution_id,
        "eventType": event_type,
        "requestId": request_id,
    }


def _request(req: EdgeRequest) -> dict:
    headers = [(k.lower(), {"value": v}) for k, v in exposed(req.headers) if k.lower() != "cookie"]
    cookies = [
        (name, {"value": value})
        for line in header_values(req.headers, "cookie")
        for name, value in (_split(part, "=") for part in line.split(";") if part.strip())
    ]
    return {
        "method": req.method,
        "uri": req.uri,
        "querystring": _fields(_parse_query(req.querystring)),
        "headers": _fields(headers),
        "cookies": _fields(cookies),
    }


def _response(resp: EdgeResponse) -> dict:
    headers = [(k.lower(), {"value": v}) for k, v in exposed(resp.headers) if k.lower() != "set-cookie"]
    cookies = []
    for line in header_values(resp.headers, "set-cookie"):
        pair, _, attributes = line.partition(";")
        name, value = _split(pair, "=")
        cookies.append((name, {"value": value, **({"attributes": attributes.strip()} if attributes.strip() else {})}))
    return {
        "statusCode": resp.status,
        "statusDescription": phrase(resp.status),
        "headers": _fields(headers),
        "cookies": _fields(cookies),
    }


def _split(text: str, sep: str) -> tuple[str, str]:
    name, _, value = text.strip().partition(sep)
    return name.strip(), value.strip()


def _parse_query(raw: str) -> list[tuple[str, dict]]:
    return [(name, {"value": value}) for name, value in (p.partition("=")[::2] for p in raw.split("&") if p)]


def _fields(items: list[tuple[str, dict]]) -> dict:
    """Group by name: the first value as the field, every value in `multiValue` when there are several."""
    grouped: dict[str, list[dict]] = {}
    for name, item in items:
        grouped.setdefault(name, []).append(item)
    return {name: {**items[0], "multiValue": items} if len(items) > 1 else items[0] for name, items in grouped.items()}


# --- reading the result ---


def _check_object(result: Any) -> None:
    if not isinstance(result, dict):
        raise invalid(f"the function must return a request or a response object, not {type(result).__name__}")
    if "version" in result and "context" in result:
        raise invalid("the function returned the whole event; return event.request or a response object")


def _merge(result: Any, before: dict, what: str) -> list[tuple[str, dict]]:
    """(name, item) for every value the result holds, by the documented multiValue rule."""
    if not isinstance(result, dict):
        raise invalid(f"{what} must be an object")
    pairs: list[tuple[str, dict]] = []
    for name, field in result.items():
        if not isinstance(field, dict) or not ("value" in field or "multiValue" in field):
            raise invalid(f"{what}.{name} must be an object with a value")
        multi = field.get("multiValue")
        if multi is None:
            items = [field]
        elif not isinstance(multi, list) or not all(isinstance(m, dict) for m in multi):
            raise invalid(f"{what}.{name}.multiValue must be an array of objects with a value")
        elif multi == before.get(name, {}).get("multiValue"):
            items = [field, *multi[1:]]  # multiValue untouched: `value` replaces the first one only
        else:
            items = multi
        pairs.extend((name, item) for item in items)
    return pairs


def _string(item: dict, name: str) -> str:
    value = item.get("value")
    if not isinstance(value, str):
        raise invalid(f"{name} has a value that is not a string: {value!r}")
    return value


def _headers(result: Any, before: dict, original: Headers) -> Headers:
    spelling = {k.lower(): k for k, _ in reversed(original)}
    headers: Headers = []
    for name, item in _merge(result, before, "headers"):
        if name != name.lower():
            raise invalid(f"header names must be lowercase: {name}")
        headers.append((spelling.get(name) or title_case(name), check_header(name, item.get("value"))))
    return headers


def _querystring(result: Any, before: dict, raw: str) -> str:
    if isinstance(result, str):
        return result.removeprefix("?")
    if result == before:
        return raw
    return "&".join(name if value == "" else f"{name}={value}" for name, value in _query_pairs(result, before))


def _query_pairs(result: Any, before: dict) -> list[tuple[str, str]]:
    return [(name, _string(item, name)) for name, item in _merge(result, before, "querystring")]


def _set_cookies(result: Any, before: dict, original: Headers) -> Headers:
    if result == before:
        return [(k, v) for k, v in original if k.lower() == "set-cookie"]
    lines = []
    for name, item in _merge(result, before, "cookies"):
        attributes = item.get("attributes")
        if attributes is not None and not isinstance(attributes, str):
            raise invalid(f"cookie {name} has attributes that are not a string")
        line = f"{name}={_string(item, name)}" + (f"; {attributes}" if attributes else "")
        lines.append(("Set-Cookie", check_header("set-cookie", line)))
    return lines


def _generated(result: dict) -> EdgeResponse:
    """A response a viewer-request function made up: CloudFront answers with it and skips the origin."""
    headers = _headers(result.get("headers", {}), {}, [])
    headers += _set_cookies(result.get("cookies", {}), {}, [])
    return EdgeResponse(status=check_status(result["statusCode"]), headers=headers, body=_body(result.get("body")))


def _body(body: Any) -> bytes:
    """`"text"`, or `{"encoding": "text" | "base64", "data": ...}` ("Response object" > `body`)."""
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if not isinstance(body, dict) or not isinstance(body.get("data"), str):
        raise invalid("body must be a string or an object {encoding, data}")
    return decode_body(body["data"], body.get("encoding", "text"))
