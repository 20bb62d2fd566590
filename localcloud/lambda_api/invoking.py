"""Invoke as the Lambda API answers it: RequestResponse (the payload, `X-Amz-Function-Error` and the
error document for an unhandled error, `X-Amz-Log-Result` with LogType=Tail), Event (202, then the
function's asynchronous queue: retries, maximum age, destinations, DLQ) and DryRun (204).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.lambda_api.catalog import LambdaError, Target, not_found
from localcloud.model import FunctionNotFound, InvokeResult, LogStore, Throttled

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024  # Lambda's request limit for RequestResponse invokes
ASYNC_PAYLOAD_LIMIT = 1024 * 1024  # and for Event invokes (1 MB since October 2025)
TAIL_BYTES = 4096
_INVOCATION_TYPES = ("Event", "RequestResponse", "DryRun")
_LOG_TYPES = ("None", "Tail")
_ERROR_ORDER = ("errorMessage", "errorType", "requestId", "stackTrace")


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class Invoker:
    def __init__(
        self,
        invoke: Callable[[str, Any], InvokeResult],
        invoke_async: Callable[[str, str, str], str],
        logs: LogStore,
    ):
        """`invoke(arn, payload_bytes)` runs the function now; `invoke_async(channel, arn, payload_text)`
        queues it with Lambda's async semantics and gives the request id."""
        self._invoke = invoke
        self._invoke_async = invoke_async
        self._logs = logs

    def invoke(self, target: Target, payload: bytes, invocation_type: str, log_type: str) -> Answer:
        _check_enum("invocationType", invocation_type, _INVOCATION_TYPES)
        _check_enum("logType", log_type, _LOG_TYPES)
        limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT
        if len(payload) > limit:
            raise LambdaError(
                413,
                "RequestEntityTooLargeException",
                f"Request must be smaller than {limit} bytes for the InvokeFunction operation",
            )
        payload = payload if payload.strip() else b"{}"
        try:
            json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            raise LambdaError(
                400,
                "InvalidRequestContentException",
                f"Could not parse request body into json: Could not parse payload into json: {exc}",
            ) from None
        version = [("X-Amz-Executed-Version", target.version)]
        if invocation_type == "DryRun":
            return Answer(204, version)
        if invocation_type == "Event":
            try:
                request_id = self._invoke_async("lambda", target.arn, payload.decode())  # sources' INVOKE_CHANNEL
            except FunctionNotFound:
                raise not_found(target.arn) from None
            return Answer(202, [("x-amzn-RequestId", request_id)])
        try:
            result = self._invoke(target.arn, payload)
        except FunctionNotFound:  # in the template but not running (its start-up error says why)
            raise not_found(target.arn) from None
        except Throttled:
            raise LambdaError(
                429,
                "TooManyRequestsException",
                "Rate Exceeded.",
                Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
            ) from None
        headers = [("Content-Type", "application/json"), *version, ("x-amzn-RequestId", result.request_id)]
        if result.error is not None:
            headers.append(("X-Amz-Function-Error", "Unhandled"))
            body = json.dumps(error_document(result.error)).encode()
        elif isinstance(result.payload, bytes | bytearray):
            body = bytes(result.payload)
        else:
            body = json.dumps(result.payload).encode()
        if log_type == "Tail":
            headers.append(("X-Amz-Log-Result", self._tail(target, result.request_id)))
        return Answer(200, headers, body)

    def _tail(self, target: Target, request_id: str) -> str:
        lines = [e["line"] for e in self._logs.lines(target.spec.address) if e["request_id"] == request_id]
        text = "".join(f"{line}\n" for line in lines).encode()
        return base64.b64encode(text[-TAIL_BYTES:]).decode()


def error_document(error: dict) -> dict:
    """An unhandled error as Lambda's payload has it: errorMessage, errorType, requestId, stackTrace."""
    ordered = {key: error[key] for key in _ERROR_ORDER if key in error}
    ordered.update({key: value for key, value in error.items() if key not in ordered})
    return ordered


def _check_enum(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise LambdaError(
            400,
            "ValidationException",
            f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]",
        )
