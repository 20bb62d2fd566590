"""Lambda emulation: warm worker processes per function, with Lambda's concurrency, timeouts and errors.

Each function has a pool of workers (`worker.py` processes), one per concurrent execution, spawned on
first use and reused while warm. A worker only ever runs one function: its environment is the caller's
`base_env`, the function's variables and Lambda's reserved ones. Parent and worker talk length-prefixed
JSON over two dedicated pipes; the worker's stdout/stderr are separate pipes read as log lines, so user
output cannot corrupt the protocol. The invoking thread drives its worker directly (no per-invoke threads);
one background thread restarts workers whose code changed, collects output printed between invocations
and retires long-idle spare workers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import os
import select
import shutil
import signal
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from localcloud.model import FunctionNotFound, FunctionSpec, InvokeResult, LogStore, Throttled

DEFAULT_CONCURRENCY = 10  # pool size of a function without ReservedConcurrentExecutions
INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit on the init phase
RELOAD_POLL_SECONDS = 0.5  # how often code directories are checked for changes
SPARE_IDLE_SECONDS = 300.0  # idle workers beyond the most recently used one are retired after this
MAX_RESPONSE_BYTES = 6 * 1024 * 1024  # Lambda's synchronous response limit
MAX_LOG_LINE_BYTES = 256 * 1024  # longer output without a newline is cut, as CloudWatch cuts events
WORKER_SCRIPT = Path(__file__).with_name("worker.py")

_log = logging.getLogger(__name__)
_READ_CHUNK = 1 << 16
_POLL_IN = select.POLLIN | select.POLLHUP | select.POLLERR
_TIMED_OUT = object()
_SIGNAL_TEXT = {  # how Lambda (Go's os.Signal) names a fatal signal in Runtime.ExitError
    signal.SIGKILL: "killed",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted",
    signal.SIGTERM: "terminated",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGINT: "interrupt",
}


class _Output:
    """One of a worker's output pipes, cut into lines."""

    __slots__ = ("fd", "open", "pending")

    def __init__(self, fd: int):
        self.fd = fd
        self.open = True
        self.pending = b""

    def feed(self, data: bytes) -> list[str]:
        *lines, self.pending = (self.pending + data).split(b"\n")
        if len(self.pending) > MAX_LOG_LINE_BYTES:
            lines.append(self.pending)
            self.pending = b""
        return [_decode(line) for line in lines]

    def flush(self) -> list[str]:
        rest, self.pending = self.pending, b""
        return [_decode(rest)] if rest else []


def _decode(line: bytes) -> str:
    return line.decode("utf-8", "replace").removesuffix("\r")


class _Worker:
    """One execution environment: a worker process, its protocol pipes and its output pipes."""

    def __init__(
        self,
        process: subprocess.Popen,
        request_fd: int,
        response_fd: int,
        outputs: list[_Output],
        *,
        address: str,
        logs: LogStore,
        generation: int,
    ):
        self.process = process
        self.request_fd = request_fd
        self.response_fd = response_fd
        self.outputs = {output.fd: output for output in outputs}
        self.address = address
        self.logs = logs
        self.generation = generation
        self.pending_init_ms: float | None = None
        self.max_memory_mb = 0
        self.last_used = time.monotonic()
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(response_fd, _POLL_IN)
        for fd in self.outputs:
            self._poll.register(fd, _POLL_IN)
        self._closed = False
        self._close_lock = threading.Lock()

    @classmethod
    def start(cls, python: str, env: dict[str, str], spec: FunctionSpec, generation: int, logs: LogStore) -> _Worker:
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            process = subprocess.Popen(
                [python, "-s", str(WORKER_SCRIPT), str(request_read), str(response_write)],
                stdin=subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                pass_fds=(request_read, response_write),
                env=env,
                cwd=spec.code_dir,
                start_new_session=True,
            )
        except BaseException:
            for fd in (request_write, response_read, out_read, err_read):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, response_write, out_write, err_write):
                os.close(fd)
        return cls(
            process,
            request_write,
            response_read,
            [_Output(out_read), _Output(err_read)],
            address=spec.address,
            logs=logs,
            generation=generation,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        if self.process.returncode is not None:
            return False
        try:
            # WNOWAIT: look without reaping, so close() can still signal the process group.
            return os.waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None
        except ChildProcessError:
            return False

    def exchange(self, frame: bytes, deadline: float, request_id: str | None):
        """Send one frame and wait for the answer: the reply bytes, `_TIMED_OUT`, or None if the process died."""
        try:
            view = memoryview(len(frame).to_bytes(4, "big") + frame)
            while view:
                view = view[os.write(self.request_fd, view) :]
        except OSError:
            self.collect_output(request_id)
            return None
        buffer = self._buffer
        poll = self._poll.poll
        response_fd = self.response_fd
        while True:
            if len(buffer) >= 4:
                end = 4 + int.from_bytes(buffer[:4], "big")
                if len(buffer) >= end:
                    reply = bytes(buffer[4:end])
                    del buffer[:end]
                    self.collect_output(request_id)
                    return reply
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _TIMED_OUT
            for fd, _ in poll(math.ceil(remaining * 1000)):
                if fd == response_fd:
                    chunk = os.read(fd, _READ_CHUNK)
                    if not chunk:
                        self.collect_output(request_id)
                        return None
                    buffer += chunk
                else:
                    self._read_output(fd, request_id)

    def _read_output(self, fd: int, request_id: str | None, discard: bool = False) -> None:
        output = self.outputs[fd]
        chunk = os.read(fd, _READ_CHUNK)
        if not chunk:
            output.open = False
            self._poll.unregister(fd)
            lines = output.flush()
        else:
            lines = output.feed(chunk)
        if not discard:
            for line in lines:
                self.logs.append(self.address, line, request_id)

    def collect_output(self, request_id: str | None, discard: bool = False) -> None:
        """Log whatever the process has written so far, without waiting for more."""
        for _ in range(256):  # bounded: a function printing in a loop from a thread must not pin us here
            ready = [fd for fd, _ in self._poll.poll(0) if fd in self.outputs and self.outputs[fd].open]
            if not ready:
                break
            for fd in ready:
                self._read_output(fd, request_id, discard)
        for output in self.outputs.values():
            for line in output.flush():
                if not discard:
                    self.logs.append(self.address, line, request_id)

    def peak_memory_mb(self) -> int:
        """VmHWM of a live process (for REPORT lines of invocations that never answered)."""
        with contextlib.suppress(OSError), open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return math.ceil(int(line.split()[1]) / 1024)
        return self.max_memory_mb

    def kill(self) -> None:
        """SIGKILL the worker and anything it started (its own process group), then reap it."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def exit_status(self) -> int:
        try:
            return self.process.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.process.returncode

    def close(self) -> None:
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        self.kill()
        for fd in (self.request_fd, self.response_fd, *self.outputs):
            with contextlib.suppress(OSError):
                os.close(fd)


class _Pool:
    """The workers of one function and its concurrency accounting."""

    def __init__(self, spec: FunctionSpec):
        self.spec = spec
        self.lock = threading.Lock()
        self.idle: list[_Worker] = []  # a stack: the most recently used worker serves next
        self.workers: set[_Worker] = set()  # idle and busy
        self.busy = 0  # invocations in flight, including cold starts
        self.generation = 0  # bumped when the code or the spec changes; older workers retire
        self.signature: int | None = None  # code fingerprint the current generation runs
        self.closed = False

    @property
    def cap(self) -> int:
        reserved = self.spec.reserved_concurrency
        return DEFAULT_CONCURRENCY if reserved is None else reserved

    def acquire(self) -> tuple[_Worker | None, FunctionSpec, int, list[_Worker]]:
        """Reserve a concurrent execution: a warm worker, or None (the caller starts one). Dead ones returned."""
        dead: list[_Worker] = []
        with self.lock:
            if self.closed:
                raise RuntimeError(f"{self.spec.address}: the Lambda service has been shut down")
            cap = self.cap
            if self.busy >= cap:
                reason = (
                    "ReservedFunctionConcurrentInvocationLimitExceeded"
                    if self.spec.reserved_concurrency is not None
                    else "ConcurrentInvocationLimitExceeded"
                )
                raise Throttled(
                    f"Rate Exceeded. {self.spec.address}: {cap} of {cap} concurrent executions busy ({reason})"
                )
            self.busy += 1
            worker = None
            while self.idle:
                candidate = self.idle.pop()
                if candidate.alive():
                    worker = candidate
                    break
                self.workers.discard(candidate)
                dead.append(candidate)
            return worker, self.spec, self.generation, dead

    def release(self, worker: _Worker | None, keep: bool) -> None:
        with self.lock:
            self.busy -= 1
            if worker is None:
                return
            if keep and not self.closed and worker.generation == self.generation:
                worker.last_used = time.monotonic()
                self.idle.append(worker)
                return
            self.workers.discard(worker)
        worker.close()

    def retire_all(self, spec: FunctionSpec | None = None) -> list[_Worker]:
        """New generation (with a new spec if given): idle workers are returned to be closed, busy ones
        retire when their invocation ends."""
        with self.lock:
            if spec is not None:
                self.spec = spec
                self.signature = None
            self.generation += 1
            stale, self.idle = self.idle, []
            self.workers.difference_update(stale)
            return stale


class LambdaService:
    """Runs the registered functions in warm local worker processes, as Lambda runs them."""

    def __init__(self, python: str, base_env: dict[str, str], logs: LogStore):
        # Absolute, because workers start in their code directory; symlinks kept (a venv's python is one).
        self.python = python if os.sep in python else (shutil.which(python) or python)
        self.python = os.path.abspath(self.python)
        self.base_env = {key: value for key, value in base_env.items() if value is not None}
        self.logs = logs
        self._pools: dict[str, _Pool] = {}  # by unqualified ARN
        self._index: dict[str, _Pool] = {}  # by ARN, physical name and address
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="lambdas-monitor", daemon=True)
        self._monitor.start()

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
        stale: list[_Worker] = []
        with self._lock:
            pool = self._pools.get(spec.arn)
            if pool is None:
                self._pools[spec.arn] = _Pool(spec)
            else:
                stale = pool.retire_all(spec)
            self._index = {}
            for registered in self._pools.values():
                for key in (registered.spec.arn, registered.spec.name, registered.spec.address):
                    self._index[key] = registered
        for worker in stale:
            worker.close()

    def _find(self, key: str) -> tuple[_Pool, str]:
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
        event_json = _encode_event(pool.spec, event)
        worker, spec, generation, dead = pool.acquire()
        self._discard_dead(dead)
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
        self._discard_dead(dead)
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
        self, pool: _Pool, spec: FunctionSpec, generation: int, request_id: str, report: bool = True
    ) -> tuple[_Worker | None, InvokeResult | None]:
        """A new worker with the handler loaded (cold start), or the failed invocation's result."""
        if pool.signature is None:
            signature = _code_signature(spec, {})
            with pool.lock:
                if pool.signature is None and pool.generation == generation:
                    pool.signature = signature
        log_stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        started = time.perf_counter()
        try:
            worker = _Worker.start(self.python, self._environment(spec, log_stream), spec, generation, self.logs)
        except OSError as exc:
            error = _error(
                "Runtime.InvalidEntrypoint", f"RequestId: {request_id} Error: cannot start {self.python}: {exc}"
            )
            return None, self._init_failed(spec, request_id, error, 0.0, report)
        with pool.lock:
            closed = pool.closed
            if not closed:
                pool.workers.add(worker)
        if closed:
            worker.close()
            raise RuntimeError(f"{spec.address}: the Lambda service has been shut down")

        config = json.dumps({"handler": spec.handler, "path": _sys_path(spec)}).encode()
        reply = worker.exchange(config, time.monotonic() + INIT_TIMEOUT_SECONDS, None)
        init_ms = (time.perf_counter() - started) * 1000
        if reply is _TIMED_OUT:
            worker.kill()
            worker.collect_output(None)
            message = f"RequestId: {request_id} Error: Init phase timed out after {INIT_TIMEOUT_SECONDS:.2f} seconds"
            return worker, self._init_failed(spec, request_id, _error("Sandbox.Timedout", message), init_ms, report)
        if reply is None:
            error = _error("Runtime.ExitError", _exit_message(request_id, worker.exit_status()))
            worker.collect_output(None)
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
        _log.warning("%s: init failed: %s: %s", spec.address, error["errorType"], error["errorMessage"])
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
                address, _report_line(request_id, 0.0, spec.memory, 0, init_ms, status, error["errorType"]), request_id
            )
        return InvokeResult(request_id=request_id, error=error, duration_ms=init_ms)

    def _run(
        self, worker: _Worker, spec: FunctionSpec, request_id: str, event_json: str, invoked_arn: str
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
        reply = worker.exchange(frame.encode(), time.monotonic() + timeout, request_id)

        if reply is _TIMED_OUT:
            memory_used = worker.peak_memory_mb()
            worker.kill()
            worker.collect_output(request_id)
            append(address, f"{_timestamp()} {request_id} Task timed out after {timeout:.2f} seconds", request_id)
            message = f"RequestId: {request_id} Error: Task timed out after {timeout:.2f} seconds"
            result = self._failed(spec, request_id, _error("Sandbox.Timedout", message), timeout * 1000.0)
            self._finish(spec, request_id, timeout * 1000.0, memory_used, init_ms, "timeout", None)
            return result, False

        if reply is None:
            message = _exit_message(request_id, worker.exit_status())
            worker.collect_output(request_id)
            append(address, message, request_id)
            append(address, "Runtime.ExitError", request_id)
            elapsed = (time.perf_counter() - sent) * 1000
            result = self._failed(spec, request_id, _error("Runtime.ExitError", message), elapsed)
            self._finish(spec, request_id, elapsed, worker.max_memory_mb, init_ms, "error", "Runtime.ExitError")
            return result, False

        answer = json.loads(reply)
        duration = answer["d"]
        worker.max_memory_mb = answer["m"]
        if "e" in answer:
            result = self._failed(spec, request_id, answer["e"], duration, handled=True)
        elif len(reply) > MAX_RESPONSE_BYTES:
            message = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
            result = self._failed(spec, request_id, _error("Function.ResponseSizeTooLarge", message), duration)
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
        line = _report_line(request_id, duration_ms, spec.memory, memory_used_mb, init_ms, status, error_type)
        append(spec.address, line, request_id)

    def _environment(self, spec: FunctionSpec, log_stream: str) -> dict[str, str]:
        """base_env, then the function's variables, then Lambda's reserved variables (which always win)."""
        env = dict(self.base_env)
        env.update({str(key): str(value) for key, value in spec.environment.items() if value is not None})
        region = self.base_env.get("AWS_REGION") or self.base_env.get("AWS_DEFAULT_REGION") or _arn_region(spec.arn)
        env.update(
            {
                "AWS_LAMBDA_FUNCTION_NAME": spec.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "LAMBDA_TASK_ROOT": str(Path(spec.code_dir).absolute()),
                "LAMBDA_RUNTIME_DIR": str(WORKER_SCRIPT.parent),
                "_HANDLER": spec.handler,
                "TZ": ":UTC",
            }
        )
        return env

    def _discard_dead(self, dead: list[_Worker]) -> None:
        for worker in dead:
            worker.collect_output(None)
            status = worker.exit_status()
            self.logs.append(
                worker.address, f"localcloud: worker {worker.pid} exited while idle ({_exit_text(status)})"
            )
            _log.warning("%s: worker %s exited while idle (%s)", worker.address, worker.pid, _exit_text(status))
            worker.close()

    # -- state -----------------------------------------------------------------------------------------

    def idle(self) -> bool:
        """True when no invocation is in flight in any function."""
        with self._lock:
            pools = list(self._pools.values())
        return all(pool.busy == 0 for pool in pools)

    def reset(self) -> None:
        """Between tests. Warm workers stay warm (Lambda reuses environments across unrelated requests too,
        and cold starts would dominate the suite); output they printed since their last invocation is
        dropped so it cannot reappear after the caller clears the logs. `recycle()` forces cold starts."""
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            with pool.lock:
                for worker in pool.idle:
                    worker.collect_output(None, discard=True)

    def recycle(self) -> None:
        """Retire every worker: idle ones now, busy ones when their invocation ends. Next invokes start cold."""
        with self._lock:
            pools = list(self._pools.values())
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
        self._stop.set()
        if self._monitor.is_alive() and self._monitor is not threading.current_thread():
            self._monitor.join(timeout=5.0)
        with self._lock:
            pools = list(self._pools.values())
        busy: list[_Worker] = []
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

    # -- background ------------------------------------------------------------------------------------

    def _watch(self) -> None:
        while not self._stop.wait(RELOAD_POLL_SECONDS):
            try:
                self._sweep()
            except Exception:
                _log.exception("lambdas: background sweep failed")

    def _sweep(self) -> None:
        with self._lock:
            pools = list(self._pools.values())
        signatures: dict[str, int] = {}  # per folder, shared by the functions of one sweep (layers)
        for pool in pools:
            self._reload_if_changed(pool, signatures)
            self._tend_idle(pool)

    def _reload_if_changed(self, pool: _Pool, signatures: dict[str, int]) -> None:
        with pool.lock:
            if not pool.workers and not pool.busy:
                pool.signature = None  # nothing runs: the next cold start takes a fresh baseline
                return
            spec, generation = pool.spec, pool.generation
        signature = _code_signature(spec, signatures)
        with pool.lock:
            changed = pool.generation == generation and pool.signature not in (None, signature)
        if changed:
            _drop_stale_bytecode(spec)
        stale: list[_Worker] = []
        with pool.lock:
            if pool.generation != generation:
                return
            if pool.signature is None:
                pool.signature = signature
                return
            if signature == pool.signature:
                return
            pool.signature = signature
            pool.generation += 1
            stale, pool.idle = pool.idle, []
            pool.workers.difference_update(stale)
        _log.info("%s: code changed, restarting its workers", spec.address)
        for worker in stale:
            worker.close()

    def _tend_idle(self, pool: _Pool) -> None:
        """Log output printed between invocations, drop dead workers, retire long-idle spares."""
        dead: list[_Worker] = []
        spare: list[_Worker] = []
        now = time.monotonic()
        with pool.lock:
            keep: list[_Worker] = []
            for index, worker in enumerate(pool.idle):
                worker.collect_output(None)
                if not worker.alive():
                    dead.append(worker)
                elif index < len(pool.idle) - 1 and now - worker.last_used > SPARE_IDLE_SECONDS:
                    spare.append(worker)
                else:
                    keep.append(worker)
            pool.idle = keep
            pool.workers.difference_update(dead + spare)
        self._discard_dead(dead)
        for worker in spare:
            worker.close()


def _encode_event(spec: FunctionSpec, event) -> str:
    if isinstance(event, bytes | bytearray):
        try:
            json.loads(event)
        except ValueError as exc:
            raise ValueError(f"{spec.address}: the invocation payload is not JSON: {exc}") from None
        return bytes(event).decode()
    try:
        return json.dumps(event)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{spec.address}: the event cannot be sent as JSON: {exc}") from None


def _sys_path(spec: FunctionSpec) -> list[str]:
    """code_dir, then each layer as Lambda mounts it under /opt (its `python/` folder when it has one)."""
    paths = [str(Path(spec.code_dir).absolute())]
    for layer in spec.layer_dirs:
        base = Path(layer).absolute()
        if (base / "python").is_dir():
            base = base / "python"
        site_packages = base / "lib" / spec.runtime / "site-packages"
        if site_packages.is_dir():
            paths.append(str(site_packages))
        paths.append(str(base))
    return paths


def _code_signature(spec: FunctionSpec, cache: dict[str, int]) -> int:
    parts = []
    for folder in (spec.code_dir, *spec.layer_dirs):
        key = os.fspath(folder)
        if key not in cache:
            cache[key] = _tree_signature(key)
        parts.append(cache[key])
    return hash(tuple(parts))


def _tree_signature(root: str) -> int:
    """Hash of every source file's path, mtime and size (bytecode caches and dot-folders left out)."""
    entries = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    name = entry.name
                    if name.startswith(".") or name == "__pycache__" or name.endswith(".pyc"):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(entry.path)
                            continue
                        stat = entry.stat()
                    except OSError:
                        continue
                    entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
        except OSError:
            entries.append((folder, -1, -1))
    return hash(frozenset(entries))


def _drop_stale_bytecode(spec: FunctionSpec) -> None:
    """Delete cached bytecode not newer than its source. CPython trusts a .pyc whose recorded source size and
    mtime (in whole seconds) match, so a same-size edit saved within the second of an earlier import would
    otherwise restart the worker on the old code."""
    for root in (spec.code_dir, *spec.layer_dirs):
        for folder, subfolders, _ in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            if os.path.basename(folder) != "__pycache__":
                continue
            for name in os.listdir(folder):
                if not name.endswith(".pyc"):
                    continue
                source = os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")
                pyc = os.path.join(folder, name)
                try:
                    if os.stat(source).st_mtime_ns >= os.stat(pyc).st_mtime_ns:
                        os.unlink(pyc)
                except OSError:
                    continue


def _report_line(
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


def _error(error_type: str, message: str) -> dict:
    return {"errorType": error_type, "errorMessage": message, "stackTrace": []}


def _exit_text(status: int) -> str:
    if status < 0:
        return f"signal: {_SIGNAL_TEXT.get(-status, f'signal {-status}')}"
    return f"exit status {status}"


def _exit_message(request_id: str, status: int) -> str:
    if status == 0:
        return f"RequestId: {request_id} Error: Runtime exited without providing a reason"
    return f"RequestId: {request_id} Error: Runtime exited with error: {_exit_text(status)}"


def _arn_region(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
