"""Request parsing and error mapping shared by every REST handler (API Gateway proxy events).

Handlers stay thin: they read the body, the caller and the preconditions through these helpers, and one
call to `register_error_handlers` makes every failure a `{"message", "code"}` JSON response, so bad input
is a clear 4xx and never a 500.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from common.errors import (
    ApiError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)

DEFAULT_MAX_BODY_BYTES = 16 * 1024
JSON_CONTENT_TYPE = "application/json"

# The If-Match values the API accepts, exactly as its OpenAPI file publishes them: `*`, a version `3`, or
# its ETag `"3"` / `W/"3"`. Written where ECMA-262 (the schema's dialect) and Python's `re` agree: ASCII
# classes, no `\d`/`\s` (Unicode in Python, so a full-width 3 was a version), and matched whole, since
# Python's `$` also matches before a final newline.
IF_MATCH_PATTERN = r'^(?:\*|(?:W/)?"[0-9]{1,18}"|[0-9]{1,18})$'
_IF_MATCH = re.compile(IF_MATCH_PATTERN)


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


def _check_content_type(content_type: str | None) -> None:
    if not content_type:
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != JSON_CONTENT_TYPE and not media_type.endswith("+json"):
        raise UnsupportedMediaType(f"Content-Type must be {JSON_CONTENT_TYPE}, not {media_type!r}")


def parse_json_body(
    body: str | None,
    *,
    is_base64: bool = False,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Any:
    """Decode a JSON request body: 413 over `max_bytes`, 415 for another media type, 400 when not JSON."""
    raw = body_bytes(body, is_base64=is_base64)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"request body is {len(raw)} bytes; the limit is {max_bytes}")
    _check_content_type(content_type)
    if not raw.strip():
        raise BadRequest("request body is required (JSON object)", code="InvalidBody")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"request body is not valid JSON: {exc}", code="InvalidJson") from None


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
    if not _IF_MATCH.fullmatch(value):
        raise BadRequest(f'If-Match must be a version such as "3", not {value[:40]!r}', code="InvalidIfMatch")
    if value == "*":
        return None
    return int(value.removeprefix("W/").strip('"'))


def etag(version: int) -> str:
    """The strong ETag of a resource version."""
    return f'"{version}"'


def error_body(error: ApiError) -> str:
    return json.dumps(error.body())


def register_error_handlers(app: Any, logger: Any = None) -> None:
    """Make a Powertools resolver answer every failure with `{"message", "code"}` JSON.

    ApiError keeps its status; an unknown route is 404; anything else is logged and becomes a bare 500
    that reveals nothing about the code.
    """
    from aws_lambda_powertools.event_handler import Response
    from aws_lambda_powertools.event_handler.exceptions import NotFoundError

    def respond(error: ApiError) -> Response:
        return Response(status_code=error.status, content_type=JSON_CONTENT_TYPE, body=error_body(error))

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
        if logger is not None:
            logger.exception("unhandled error")
        failure = ApiError("internal error")
        return respond(failure)
