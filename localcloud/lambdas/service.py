"""Lambda emulation: warm worker processes per function, with Lambda's concurrency, timeouts and errors.

Each function has a pool of workers (`worker.py` processes), one per concurrent execution, spawned on
first use and reused while warm. A worker only ever runs one function: its environment is the caller's
`base_env`, the function's variables and Lambda's reserved ones. Parent and worker talk length-prefixed
JSON over two dedicated pipes; the worker's stdout/stderr are separate pipes read as log lines, so user
output cannot corrupt the protocol. The invoking thread drives its worker directly (no per-invoke threads);
one background thread (`monitor`) restarts workers whose code changed, collects output printed between
invocations and retires long-idle spare workers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from localcloud.lambdas.environment import encode_event, sys_path, worker_environment
from localcloud.lambdas.monitor import Monitor, discard_dead
from localcloud.lambdas.pool import Pool
from localcloud.lambdas.process import TIMED_OUT, Worker
from localcloud.lambdas.reload import code_signature
from localcloud.lambdas.reports import error as lambda_error
from localcloud.lambdas.reports import exit_message, report_line, timestamp
from localcloud.model import FunctionNotFound, FunctionSpec, InvokeResult, LogStore, Throttled

INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit on the init phase
MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # Lambda's synchronous response limit

_log = logging.getLogger("localcloud.lambdas")


class LambdaService:
    """Runs the registered functions in warm local worker processes, as Lambda runs them."""

    def __init__(
        self,
        python: str,
        base_env: dict[str, str],
        logs: LogStore,
        prepare: Callable[[FunctionSpec], FunctionSpec] | None = None,
    ):
        """`python` runs functions whose spec names no interpreter; `prepare` (lambdas.packaging) gives a spec
        its interpreter and import path on registration, and again when its code changes."""
        # Absolute, because workers start in their code directory; symlinks kept (a venv's python is one).
        self.python = python if os.sep in python else (shutil.which(python) or python)
        self.python = os.path.abspath(self.python)
        self.base_env = {key: value for key, value in base_env.items() if value is not None}
        self.logs = logs
        self._prepare = prepare
        # (spec, worker pid, request id) -> an undo callable or None, before each invocation (localcloud.faults)
        self.fault_hook: Callable[[FunctionSpec, int, str], Callable[[], None] | None] | None = None
        self._pools: dict[str, Pool] = {}  # by unqualified ARN
        self._index: dict[str, Pool] = {}  # by ARN, physical name and address
        self._lock = threading.Lock()
        self._monitor = Monitor(self._pool_list, logs).start()

    # -- registry --------------------------------------------------------------------------------------

    def register(self, spec: FunctionSpec) -> None:
        """Add a function, or replace the spec of the same ARN (its current workers retire)."""
        if not spec.runtime.startswith("python"):
            raise ValueError(f"{spec.address}: runtime {spec.runtime!r} cannot run locally (Python runtimes only)")
        if not Path(spec.code_dir).is_dir():
            raise ValueError(f"{spec.address}: code directory {spec.code_dir} does not exist")
        for layer in spec.layer_dirs:
            if not Path(layer).is_dir():
                raise ValueError(f"{spec.address}: layer directory {layer} does not exist")
        if self._prepare is not None:
            spec = self._prepare(spec)
        stale: list[Worker] = []
        with self._lock:
            pool = self._pools.get(spec.arn)
            if pool is None:
                self._pools[spec.arn] = Pool(spec)
            else:
                stale = pool.retire_all(spec)
            self._index = {}
            for registered in self._pools.values():
                for key in (registered.spec.arn, registered.spec.name, registered.spec.address):
                    self._index[key] = registered
        for worker in stale:
            worker.close()

    def _find(self, key: str) -> tuple[Pool, str]:
        """The pool for an ARN (qualified or not), name or address, and the ARN the caller invoked."""
        pool = self._index.get(key)
        if pool is None and ":function:" in key:
            pool = self._index.get(key.split(":function:", 1)[1].split(":", 1)[0])
        if pool is None:
            raise FunctionNotFound(f"Function not found: {key}")
        return pool, key if key.startswith("arn:") else pool.spec.arn

    # -- invoking --------------------------------------------------------------------------------------

    def invoke(self, key: str, event) -> InvokeResult:
        """Run the function synchronously. Raises FunctionNotFound, or Throttled when its pool is all busy."""
        pool, invoked_arn = self._find(key)
        event_json = encode_event(pool.spec, event)
        worker, spec, generation, dead = pool.acquire()
        discard_dead(dead, self.logs)
        request_id = str(uuid.uuid4())
        keep = False
        try:
            if worker is None:
                worker, failure = self._start_worker(pool, spec, generation, request_id)
                if failure is not None:
                    return failure
            result, keep = self._run(worker, spec, request_id, event_json, invoked_arn)
            return result
        finally:
            pool.release(worker, keep)

    def warm(self, key: str) -> bool:
        """Make sure one worker of the function is warm (as provisioned concurrency would). False if it cannot."""
        pool, _ = self._find(key)
        try:
            worker, spec, generation, dead = pool.acquire()
        except Throttled:
            return False
        discard_dead(dead, self.logs)
        keep = worker is not None
        try:
            if worker is None:
                worker, failure = self._start_worker(pool, spec, generation, str(uuid.uuid4()), report=False)
                if failure is not None:
                    return False
                worker.pending_init_ms = None
                keep = True
            return True
        finally:
            pool.release(worker, keep)

    def _start_worker(
        self, pool: Pool, spec: FunctionSpec, generation: int, request_id: str, report: bool = True
    ) -> tuple[Worker | None, InvokeResult | None]:
        """A new worker with the handler loaded (cold start), or the failed invocation's result."""
        if pool.signature is None:
            signature = code_signature(spec, {})
            with pool.lock:
                if pool.signature is None and pool.generation == generation:
                    pool.signature = signature
        spec = self._reprepare(pool, spec, generation)
        log_stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            python = spec.python or self.python
            worker = Worker.start(
                python, worker_environment(self.base_env, spec, log_stream), spec, generation, self.logs
            )
        except OSError as exc:
            error = lambda_error(
                "Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: cannot start {python}: {exc}"
            )
            return None, self._init_failed(spec, request_id, error, 0.0, report)
        with pool.lock:
            closed = pool.closed
            if not closed:
                pool.workers.add(worker)
        if closed:
            worker.close()
            raise RuntimeError(f"{spec.address}: the Lambda service has been shut down")

        config = json.dumps({"handler": spec.handler, "path": sys_path(spec)}).encode()
        reply = worker.exchange(config, time.monotonic() + INIT_TIMEOUT_SECONDS, None)
        init_ms = (time.perf_counter() - started) * 1000
        if reply is TIMED_OUT:
            worker.kill()
            worker.collect_output(None)
            message = f"RequestId: {request_id} Error: Init phase timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds"
            return worker, self._init_failed(
                spec, request_id, lambda_error("Sandbox.Timedout", message), init_ms, report
            )
        if reply is None:
            error = lambda_error("Runtime.ExitError", exit_message(request_id, worker.exit_status()))
            worker.collect_output(None)
            # What the runtime printed before it died (a traceback, most often): in the log already, as in
            # CloudWatch; quoted in the error too, since nothing else says why.
            error["stackTrace"] = list(worker.recent)
            return worker, self._init_failed(spec, request_id, error, init_ms, report)
        answer = json.loads(reply)
        if "e" in answer:
            return worker, self._init_failed(spec, request_id, answer["e"], init_ms, report)
        worker.pending_init_ms = init_ms
        return worker, None

    def _init_failed(
        self, spec: FunctionSpec, request_id: str, error: dict, init_ms: float, report: bool
    ) -> InvokeResult:
        error = {**error, "requestId": request_id}
        trace = "".join(f"\n  | {line}" for element in error.get("stackTrace") or () for line in element.splitlines())
        _log.warning("%s: init failed: %s: %s%s", spec.address, error["errorType"], error["errorMessage"], trace)
        if report:
            append = self.logs.append
            address = spec.address
            status = "timeout" if error["errorType"] == "Sandbox.Timedout" else "error"
            append(
                address,
                f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: {status}"
                f"\tError Type: {error['errorType']}",
                request_id,
            )
            append(address, f"START RequestId: {request_id} Version: $LATEST", request_id)
            append(address, f"END RequestId: {request_id}", request_id)
            append(
                address, report_line(request_id, 0.0, spec.memory, 0, init_ms, status, error["errorType"]), request_id
            )
        return InvokeResult(request_id=request_id, error=error, duration_ms=init_ms)

    def _run(
        self, worker: Worker, spec: FunctionSpec, request_id: str, event_json: str, invoked_arn: str
    ) -> tuple[InvokeResult, bool]:
        """One invocation on a warm worker; the bool says whether the worker stays warm."""
        address = spec.address
        append = self.logs.append
        worker.collect_output(None)
        append(address, f"START RequestId: {request_id} Version: $LATEST", request_id)
        init_ms, worker.pending_init_ms = worker.pending_init_ms, None
        timeout = spec.timeout
        deadline_ms = int((time.time() + timeout) * 1000)
        frame = f'{{"id":"{request_id}","dl":{deadline_ms},"arn":{json.dumps(invoked_arn)},"ev":{event_json}}}'
        sent = time.perf_counter()
        deadline = time.monotonic() + timeout
        undo = self.fault_hook(spec, worker.pid, request_id) if self.fault_hook is not None else None
        reply = worker.exchange(frame.encode(), deadline, request_id)
        if undo is not None:
            undo()

        if reply is TIMED_OUT:
            memory_used = worker.peak_memory_mb()
            worker.kill()
            worker.collect_output(request_id)
            append(address, f"{timestamp()} {request_id} Task timed out after {timeout:.2f} seconds", request_id)
            message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
            result = self._failed(spec, request_id, lambda_error("Sandbox.Timedout", message), timeout * 1000.0)
            self._finish(spec, request_id, timeout * 1000.0, memory_used, init_ms, "timeout", None)
            return result, False

        if reply is None:
            message = exit_message(request_id, worker.exit_status())
            worker.collect_output(request_id)
            append(address, message, request_id)
            append(address, "Runtime.ExitError", request_id)
            elapsed = (time.perf_counter() - sent) * 1000
            result = self._failed(spec, request_id, lambda_error("Runtime.ExitError", message), elapsed)
            self._finish(spec, request_id, elapsed, worker.max_memory_mb, init_ms, "error", "Runtime.ExitError")
            return result, False

        answer = json.loads(reply)
        duration = answer["d"]
        worker.max_memory_mb = answer["m"]
        if "e" in answer:
            result = self._failed(spec, request_id, answer["e"], duration, handled=True)
        elif len(reply) > MAX_RESPONSE_BYTES:
            message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            result = self._failed(spec, request_id, lambda_error("Function.ResponseSizeTooLarge", message), duration)
        elif "b" in answer:
            result = InvokeResult(request_id=request_id, payload=base64.b64decode(answer["b"]), duration_ms=duration)
        else:
            result = InvokeResult(request_id=request_id, payload=answer["p"], duration_ms=duration)
        self._finish(spec, request_id, duration, answer["m"], init_ms, None, None)
        return result, True

    def _failed(
        self, spec: FunctionSpec, request_id: str, error: dict, duration_ms: float, handled: bool = False
    ) -> InvokeResult:
        error = {**error, "requestId": request_id}
        level = logging.INFO if handled else logging.WARNING
        _log.log(
            level,
            "%s: invocation %s failed: %s: %s",
            spec.address,
            request_id,
            error["errorType"],
            error["errorMessage"],
        )
        return InvokeResult(request_id=request_id, error=error, duration_ms=duration_ms)

    def _finish(
        self,
        spec: FunctionSpec,
        request_id: str,
        duration_ms: float,
        memory_used_mb: int,
        init_ms: float | None,
        status: str | None,
        error_type: str | None,
    ) -> None:
        append = self.logs.append
        append(spec.address, f"END RequestId: {request_id}", request_id)
        line = report_line(request_id, duration_ms, spec.memory, memory_used_mb, init_ms, status, error_type)
        append(spec.address, line, request_id)

    # -- state -----------------------------------------------------------------------------------------

    def _pool_list(self) -> list[Pool]:
        with self._lock:
            return list(self._pools.values())

    def idle(self) -> bool:
        """True when no invocation is in flight in any function."""
        pools = self._pool_list()
        return all(pool.busy == 0 for pool in pools)

    def reset(self) -> None:
        """Between tests. Warm workers stay warm (Lambda reuses environments across unrelated requests too,
        and cold starts would dominate the suite); output they printed since their last invocation is
        dropped so it cannot reappear after the caller clears the logs. `recycle()` forces cold starts."""
        pools = self._pool_list()
        for pool in pools:
            with pool.lock:
                for worker in pool.idle:
                    worker.collect_output(None, discard=True)

    def recycle(self) -> None:
        """Retire every worker: idle ones now, busy ones when their invocation ends. Next invokes start cold."""
        pools = self._pool_list()
        for pool in pools:
            for worker in pool.retire_all():
                worker.close()

    def workers(self, key: str) -> list[int]:
        """Pids of the function's live workers (for the console and tests)."""
        pool, _ = self._find(key)
        with pool.lock:
            return sorted(worker.pid for worker in pool.workers)

    def shutdown(self) -> None:
        """Kill every worker and stop the monitor. In-flight invocations end with Runtime.ExitError."""
        self._monitor.stop()
        pools = self._pool_list()
        busy: list[Worker] = []
        for pool in pools:
            with pool.lock:
                pool.closed = True
                idle, pool.idle = pool.idle, []
                pool.workers.difference_update(idle)
                busy.extend(pool.workers)
            for worker in idle:
                worker.close()
        for worker in busy:
            # The invoking thread owns the fds: signal only; it sees EOF, reports, and closes the worker.
            if worker.process.returncode is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(worker.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5.0
        while not self.idle() and time.monotonic() < deadline:
            time.sleep(0.01)

    # -- cold starts ----------------------------------------------------------------------------------

    def _reprepare(self, pool: Pool, spec: FunctionSpec, generation: int) -> FunctionSpec:
        """The spec prepared again for a cold start, as its requirements may have changed since (cheap when
        they have not: the packages are cached); the previous one, logged, if that fails."""
        if self._prepare is None:
            return spec
        try:
            fresh = self._prepare(spec)
        except ValueError as exc:
            _log.warning("%s: keeps its previous packages: %s", spec.address, exc)
            self.logs.append(spec.address, f"localcloud: keeps its previous packages: {exc}")
            return spec
        if fresh != spec:
            with pool.lock:
                if pool.generation == generation:
                    pool.spec = fresh
        return fresh
