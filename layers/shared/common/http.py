"""Request parsing and error mapping shared by every REST handler (API Gateway proxy events).

Handlers stay thin: they read the body, the caller and the preconditions through these helpers, and one
call to `register_error_handlers` makes every failure a `{"message", "code"}` JSON response, so bad input
is a clear 4xx and never a 500.

A body is accepted only if every later step can handle it: it is nested at most `max_depth` levels (the
decoder recurses, and so do json.dumps, logging and boto3), its strings are Unicode text (a lone
surrogate such as `"\\ud800"` decodes in Python but DynamoDB refuses it), and its numbers are finite
(`NaN`, `Infinity` and `1e400` are not JSON numbers).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from common.errors import (
    RETRY_AFTER_SECONDS,
    ApiError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    is_throttle,
)
from common.validation import lone_surrogate_path

DEFAULT_MAX_BODY_BYTES = 16 * 1024
DEFAULT_MAX_JSON_DEPTH = 64
JSON_CONTENT_TYPE = "application/json"

# The If-Match values the API accepts, exactly as its OpenAPI file publishes them: `*`, a version `3`, or
# its ETag `"3"` / `W/"3"`. Written where ECMA-262 (the schema's dialect) and Python's `re` agree: ASCII
# classes, no `\d`/`\s` (Unicode in Python, so a full-width 3 was a version), and matched whole, since
# Python's `$` also matches before a final newline.
IF_MATCH_PATTERN = r'^(?:\*|(?:W/)?"[0-9]{1,18}"|[0-9]{1,18})$'


def body_bytes(body: str | None, *, is_base64: bool = False) -> bytes:
    """The raw request body as API Gateway passed it (text, or base64 for binary media types)."""
    if body is None:
        return b""
    if is_base64:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest("request body is not valid base64", code="InvalidBody") from None
    return body.encode("utf-8", "surrogatepass")


# HTTP's optional whitespace around a field value is space and tab; str.strip() would also take U+3000.
_OWS = " \t"


def _check_content_type(content_type: str | None) -> None:
    if not content_type:
        return
    media_type = content_type.split(";", 1)[0].strip(_OWS).lower()
    if media_type != JSON_CONTENT_TYPE and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"Content-Type must be {JSON_CONTENT_TYPE}, not {media_type!r}")


# Patterns are strings, compiled (and cached) by `re` on first use: nothing to compile at cold start.
_JSON_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'  # with re.DOTALL
_NOT_A_BRACKET = rb"[^\[\]{}]+"
_OPENERS = frozenset(b"[{")
_SURROGATE_ESCAPE = rb"\\u[dD][89a-fA-F]"


def _invalid_json(reason: str) -> BadRequest:
    return BadRequest(f"request body is not valid JSON: {reason}", code="InvalidJson")


def _check_depth(raw: bytes, max_depth: int) -> None:
    """400 when arrays/objects nest deeper than `max_depth`, found before the recursive decoder runs.

    Brackets inside strings do not count. A body with no more brackets than the limit cannot be too
    deep, so the scan only runs for bodies with many brackets.
    """
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    depth = 0
    for byte in re.sub(_NOT_A_BRACKET, b"", re.sub(_JSON_STRING, b"", raw, flags=re.DOTALL)):
        depth += 1 if byte in _OPENERS else -1
        if depth > max_depth:
            raise _invalid_json(f"arrays and objects are nested more than {max_depth} levels deep")


def _check_unicode(raw: bytes, value: Any) -> None:
    """400 when a decoded string holds a lone surrogate; only bodies with a `\\uD8xx`-style escape pay."""
    if re.search(_SURROGATE_ESCAPE, raw) is None:
        return
    where = lone_surrogate_path(value)
    if where:
        raise _invalid_json(f"{where} holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise _invalid_json(f"the number {text[:40]} is out of range")
    return number


def _no_constant(name: str) -> None:
    raise _invalid_json(f"{name} is not a JSON value")


def parse_json_body(
    body: str | None,
    *,
    is_base64: bool = False,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_depth: int = DEFAULT_MAX_JSON_DEPTH,
) -> Any:
    """Decode a JSON request body: 413 over `max_bytes`, 415 for another media type, 400 when not JSON,
    nested deeper than `max_depth`, holding a lone surrogate, or a number that is not finite."""
    raw = body_bytes(body, is_base64=is_base64)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {max_bytes}")
    _check_content_type(content_type)
    if not raw.strip():
        raise BadRequest("request body is required (JSON object)", code="InvalidBody")
    _check_depth(raw, max_depth)
    try:
        value = json.loads(raw.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _invalid_json(str(exc)) from None
    _check_unicode(raw, value)
    return value


def caller_claims(event: dict) -> dict:
    """The Cognito claims API Gateway's authorizer put in the event; 401 when there is no `sub`."""
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") or {}
    claims = authorizer.get("claims") if isinstance(authorizer, dict) else None
    if not isinstance(claims, dict):
        raise Unauthorized("the request carries no identity", code="Unauthorized")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise Unauthorized("the request carries no identity", code="Unauthorized")
    return claims


def parse_if_match(value: str | None) -> int | None:
    """An If-Match version precondition: `3`, `"3"` or `W/"3"` → 3; absent or `*` → None; else 400.

    An empty value is a 400, not "no precondition": it is what a client whose ETag went missing sends, and
    ignoring it would let that write overwrite a newer version.
    """
    if value is None:
        return None
    if not re.fullmatch(IF_MATCH_PATTERN, value):
        raise BadRequest(f'If-Match must be a version such as "3", not {value[:40]!r}', code="InvalidIfMatch")
    if value == "*":
        return None
    return int(value.removeprefix("W/").strip('"'))


def etag(version: int) -> str:
    """The strong ETag of a resource version."""
    return f'"{version}"'


# ASCII digits only: Python's \d and str.isdigit() also take Arabic-Indic and full-width digits (and
# int() reads them), and a bounded length keeps int() far from its 4 300-digit limit.
_DIGITS = r"[0-9]{1,18}"


def parse_int_param(raw: str | None, *, name: str, minimum: int, maximum: int, default: int, code: str) -> int:
    """A non-negative integer query or path parameter: absent → `default`; else 1 to 18 ASCII digits
    within [minimum, maximum]. No sign, no space, no non-ASCII digit, and never long enough to reach
    int()'s digit limit (5 000 digits raise ValueError there)."""
    if raw is None:
        return default
    if re.fullmatch(_DIGITS, raw) and minimum <= int(raw) <= maximum:
        return int(raw)
    raise BadRequest(f"{name} must be an integer from {minimum} to {maximum}, not {raw[:20]!r}", code=code)


def error_body(error: ApiError) -> str:
    return json.dumps(error.body())


def register_error_handlers(app: Any, logger: Any = None) -> None:
    """Make a Powertools resolver answer every failure with `{"message", "code"}` JSON.

    ApiError keeps its status; an unknown route is 404; an AWS call still throttled after the SDK's
    retries is a 503 with Retry-After (the write did not happen: the client may retry); anything else is
    logged and becomes a bare 500 that reveals nothing about the code.
    """
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError

    def respond(error: ApiError, headers: dict | None = None) -> Response:
        return Response(
            status_code=error.status, content_type=JSON_CONTENT_TYPE, body=error_body(error), headers=headers
        )

    @app.exception_handler(ApiError)
    def _api_error(error: ApiError):
        if logger is not None:
            logger.info("request rejected", extra={"status": error.status, "code": error.code})
        return respond(error)

    @app.not_found
    def _route_not_found(_error: NotFoundError):
        return respond(NotFound("no such resource", code="NotFound"))

    @app.exception_handler(Exception)
    def _unexpected(error: Exception):
        if is_throttle(error):
            if logger is not None:
                logger.warning("throttled by a dependency", extra={"error": str(error)})
            busy = ServiceUnavailable("the service is busy; retry shortly", code="ServiceUnavailable")
            return respond(busy, {"Retry-After": str(RETRY_AFTER_SECONDS)})
        if logger is not None:
            logger.exception("unhandled error")
        failure = ApiError("internal error")
        return respond(failure)


# Reading a request and shaping an answer in a Powertools REST resolver's route.


def header(app: Any, name: str) -> str | None:
    """A request header, by name in any case."""
    return app.current_event.get_header_value(name, case_sensitive=False)


def expected_version(app: Any) -> int | None:
    """The request's If-Match precondition (see parse_if_match)."""
    return parse_if_match(header(app, "If-Match"))


def query_value(app: Any, name: str) -> str | None:
    """One query parameter; sending it twice with different values is ambiguous, so a 400."""
    multi = app.current_event.multi_value_query_string_parameters or {}
    values = multi.get(name)
    if values and len(set(values)) > 1:
        raise BadRequest(f"query parameter {name} was given more than once", code="InvalidQuery")
    return (app.current_event.query_string_parameters or {}).get(name)


def json_response(status: int, body: object, headers: dict | None = None) -> Any:
    """A compact JSON answer (a Powertools Response)."""
    from aws_lambda_powertools.event_handler import Response

    return Response(
        status_code=status,
        content_type=JSON_CONTENT_TYPE,
        body=json.dumps(body, separators=(",", ":")),
        headers=headers or {},
    )
