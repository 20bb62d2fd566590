"""What the REST and HTTP API pipelines share: the refusal that ends a request, and the Lambda functions
that integration and authorizer URIs name (kept apart from either pipeline so neither imports the other)."""

from __future__ import annotations

import re
from typing import Any

from localcloud.model import FunctionNotFound, Throttled

_FUNCTION = re.compile(r"functions/(.+?)/invocations")


class Refused(Exception):
    """Stop the pipeline with a gateway response of `kind`; `reason` says why (x-localcloud-reason)."""

    def __init__(self, kind: str, reason: str, message: str | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.message = message


def function_of(uri: Any) -> str | None:
    m = _FUNCTION.search(str(uri or ""))
    return m.group(1) if m else None


def call_function(invoke, function: str, event: dict):
    """Invoke, turning a missing function or exhausted concurrency into gateway refusals."""
    try:
        return invoke(function, event)
    except Throttled:
        raise Refused("THROTTLED", f"function {function} has no free concurrency") from None
    except FunctionNotFound:
        raise Refused("API_CONFIGURATION_ERROR", f"function {function} is not deployed") from None
