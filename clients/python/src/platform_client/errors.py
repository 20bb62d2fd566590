"""Errors the SDK raises: one class per HTTP status the APIs document, built from their `{message, code}`.

Every API answers a failure with a JSON body `{"message": ..., "code": ...}` (`code` is the machine-readable
reason, e.g. `TodoNotFound`, `VersionMismatch`). API Gateway's own answers (a 401 from the authorizer, a 429
from throttling) may carry only `message`; the class's default code stands in. Catch `ApiError` for any
answer, or a subclass for one status; `ClientError` covers what never reached an answer.
"""

from __future__ import annotations

import json
from typing import Any


class ClientError(Exception):
    """Anything the SDK raises."""


class ConfigError(ClientError):
    """Endpoints or tokens are missing or unreadable: the message says where they were looked for."""


class NotSignedIn(ClientError):
    """No tokens, or a refresh token Cognito no longer accepts: sign in again."""


class ApiError(ClientError):
    status = 0
    default_code = "Error"

    def __init__(self, status: int, message: str, code: str | None = None, *, body: Any = None,
                 headers: dict[str, str] | None = None):  # fmt: skip
        super().__init__(f"{status} {code or self.default_code}: {message}")
        self.status = status
        self.message = message
        self.code = code or self.default_code
        self.body = body
        self.headers = headers or {}


class BadRequest(ApiError):
    default_code = "BadRequest"


class Unauthorized(ApiError):
    default_code = "Unauthorized"


class Forbidden(ApiError):
    default_code = "Forbidden"


class NotFound(ApiError):
    default_code = "NotFound"


class Conflict(ApiError):
    default_code = "Conflict"


class PreconditionFailed(ApiError):
    default_code = "PreconditionFailed"


class PayloadTooLarge(ApiError):
    default_code = "PayloadTooLarge"


class UnsupportedMediaType(ApiError):
    default_code = "UnsupportedMediaType"


class Unprocessable(ApiError):
    """422: e.g. an Idempotency-Key reused with another body."""

    default_code = "Unprocessable"


class TooManyRequests(ApiError):
    default_code = "TooManyRequests"


class ServerError(ApiError):
    default_code = "InternalError"


BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: Unprocessable,
    429: TooManyRequests,
}


def from_response(status: int, content: bytes, headers: dict[str, str] | None = None) -> ApiError:
    """The error an answer stands for; a body that is not the documented JSON still gives a usable message."""
    body: Any = None
    message, code = "", None
    try:
        body = json.loads(content) if content else None
    except ValueError:
        message = content[:200].decode("utf-8", "replace")
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("Message") or "")
        code = body.get("code") if isinstance(body.get("code"), str) else None
    kind = BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
    return kind(status, message or f"HTTP {status}", code, body=body, headers=headers)
