"""The lines Lambda writes around an invocation (START, END, REPORT, INIT_REPORT) and how it names errors
and a runtime's exit status, so local logs read like CloudWatch's."""

from __future__ import annotations

import math
import signal
from datetime import UTC, datetime

SIGNAL_TEXT = {  # how Lambda (Go's os.Signal) names a fatal signal in Runtime.ExitError
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGINT: "interrupt",
}


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    used_mb: int,
    init_ms: float | None,
    status: str | None,
    error_type: str | None,
) -> str:
    billed = max(1, math.ceil(duration_ms))
    line = (
        f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\tBilled Duration: {billed} ms"
        f"\tMemory Size: {memory_mb} MB\tMax Memory Used: {used_mb} MB"
    )
    if init_ms is not None:
        line += f"\tInit Duration: {init_ms:.2f} ms"
    if status:
        line += f"\tStatus: {status}"
    if error_type:
        line += f"\tError Type: {error_type}"
    return line


def error(error_type: str, message: str) -> dict:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": []}


def exit_text(status: int) -> str:
    if status < 0:
        return f"signal: {SIGNAL_TEXT.get(-status, f'signal {-status}')}"
    return f"exit status {status}"


def exit_message(request_id: str, status: int) -> str:
    if status == 0:
        return f"RequestId: {request_id} Error: Runtime exited without providing a reason"
    return f"RequestId: {request_id} Error: Runtime exited with error: {exit_text(status)}"


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
