"""API error types and their one mapping to HTTP responses.

Logic raises these; handlers turn them into `{"message": ..., "code": ...}` JSON with the status below.
"""

from __future__ import annotations

import json


class ApiError(Exception):
    status = 500
    code = "InternalError"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code

    def body(self) -> dict:
        return {"message": self.message, "code": self.code}

    def to_response(self, headers: dict | None = None) -> dict:
        """An API Gateway proxy response (v1 and v2 both accept this shape)."""
        return {
            "statusCode": self.status,
            "headers": {"Content-Type": "application/json", **(headers or {})},
            "body": json.dumps(self.body()),
        }


class BadRequest(ApiError):
    status, code = 400, "BadRequest"


class Unauthorized(ApiError):
    status, code = 401, "Unauthorized"


class Forbidden(ApiError):
    status, code = 403, "Forbidden"


class NotFound(ApiError):
    status, code = 404, "NotFound"


class Conflict(ApiError):
    status, code = 409, "Conflict"


class PreconditionFailed(ApiError):
    status, code = 412, "PreconditionFailed"


class PayloadTooLarge(ApiError):
    status, code = 413, "PayloadTooLarge"


class UnsupportedMediaType(ApiError):
    status, code = 415, "UnsupportedMediaType"


class UnprocessableEntity(ApiError):
    status, code = 422, "UnprocessableEntity"


class TooManyRequests(ApiError):
    status, code = 429, "TooManyRequests"
