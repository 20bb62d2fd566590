"""UpdateFunctionConfiguration: the new settings checked as Lambda checks them, then applied to the running
function, which (as on Lambda) gets fresh execution environments: the next invoke starts cold with the
new environment, timeout, memory size or handler. Settings localcloud cannot apply (VPC, role, KMS, ...)
are accepted and named in one warning, since they change nothing a local function can see."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from localcloud.lambda_api.catalog import LambdaError
from localcloud.model import FunctionSpec

APPLIED = ("Environment", "Timeout", "MemorySize", "Handler", "Description", "RevisionId")
# Lambda sets these itself; a function may not (InvalidParameterValueException on AWS too)
RESERVED_VARIABLES = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})  # fmt: skip

_log = logging.getLogger("localcloud.lambda_api")


def updated_spec(spec: FunctionSpec, body: dict[str, Any]) -> FunctionSpec:
    """The spec with the request's settings, or the LambdaError Lambda answers for them."""
    changes: dict[str, Any] = {}
    if "Timeout" in body:
        changes["timeout"] = _bounded(body["Timeout"], "timeout", 1, 900)
    if "MemorySize" in body:
        changes["memory"] = _bounded(body["MemorySize"], "memorySize", 128, 10240)
    if "Handler" in body:
        handler = body["Handler"]
        if not isinstance(handler, str) or not handler or len(handler) > 128:
            raise _invalid("handler", handler, "Member must have length less than or equal to 128")
        changes["handler"] = handler
    if "Environment" in body:
        changes["environment"] = _variables(body["Environment"])
    ignored = sorted(key for key in body if key not in APPLIED)
    if ignored:
        _log.warning("%s: UpdateFunctionConfiguration: %s not applied locally", spec.address, ", ".join(ignored))
    return dataclasses.replace(spec, **changes)


def _variables(environment: Any) -> dict[str, str]:
    variables = (environment or {}).get("Variables") if isinstance(environment, dict) else None
    variables = variables or {}
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise LambdaError(400, "InvalidParameterValueException", "Environment variables must be strings")
    reserved = sorted(set(variables) & RESERVED_VARIABLES)
    if reserved:
        raise LambdaError(
            400,
            "InvalidParameterValueException",
            "Lambda was unable to configure your environment variables because the environment variables you "
            "have provided contains reserved keys that are currently not supported for modification. Reserved "
            f"keys used in this request: {','.join(reserved)}",
        )
    return dict(variables)


def _bounded(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(name, value, "Member must be a number")
    if value < low:
        raise _invalid(name, value, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise _invalid(name, value, f"Member must have value less than or equal to {high}")
    return value


def _invalid(name: str, value: Any, constraint: str) -> LambdaError:
    return LambdaError(
        400,
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy constraint: {constraint}",
    )
