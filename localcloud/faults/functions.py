"""Crash and delay rules applied to Lambda invocations: the hook the Lambda service calls as it hands
an event to a worker.

A crash kills the worker's process group `seconds` into the invocation, as an out-of-memory kill or a
segfault would: the invocation ends in `Runtime.ExitError` ("signal: killed") and the environment is
replaced. A delay holds the event back `seconds` while the invocation's deadline runs, so a delay past
the function's Timeout ends in `Sandbox.Timedout` ("Task timed out after ...").
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

from localcloud.faults.rules import Faults
from localcloud.model import FunctionSpec, LogStore

log = logging.getLogger("localcloud.faults")


class FunctionFaults:
    """`hook(spec, pid, request_id)` before an invocation; it returns the callable to run after it, or None."""

    def __init__(self, faults: Faults, logs: LogStore):
        self.faults = faults
        self.logs = logs

    def __call__(self, spec: FunctionSpec, pid: int, request_id: str) -> Callable[[], None] | None:
        if not self.faults.rules:
            return None
        disarm = None
        for rule in self.faults.function_fault((spec.name, spec.address, spec.arn)):
            note = f"localcloud: fault {rule.id}: {rule.kind} {rule.seconds:g} s into the invocation"
            self.logs.append(spec.address, note, request_id)
            log.info("%s: %s", spec.address, note)
            if rule.kind == "delay":
                time.sleep(rule.seconds)
            else:
                timer = threading.Timer(rule.seconds, _kill, (pid,))
                timer.daemon = True
                timer.start()
                disarm = timer.cancel
        return disarm


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
