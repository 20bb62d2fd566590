"""API error types and their one mapping to HTTP responses.

Logic raises these; handlers turn them into `{"message": ..., "code": ...}` JSON with the status below.
"""

from __future__ import annotations

import json

# the error codes AWS answers a throttled call with (botocore's standard retry mode retries them)
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "TransactionInProgressException",
    }
)
RETRY_AFTER_SECONDS = 1


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


class ServiceUnavailable(ApiError):
    """A dependency is throttling us even after the SDK's retries: the client should retry later."""

    status, code = 503, "ServiceUnavailable"

    def to_response(self, headers: dict | None = None) -> dict:
        return super().to_response({"Retry-After": str(RETRY_AFTER_SECONDS), **(headers or {})})


def is_throttle(exc: BaseException) -> bool:
    """Whether `exc` is an AWS SDK error for a throttled call (botocore's ClientError, by its code)."""
    response = getattr(exc, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in THROTTLING_CODES
