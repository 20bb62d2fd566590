"""One worker process: spawned with its function's environment, driven over two pipes with length-prefixed
JSON frames and a deadline, its stdout/stderr read as log lines, killed and reaped.

User output has pipes of its own, so it cannot corrupt the protocol.
"""

from __future__ import annotations

import contextlib
import math
import os
import select
import signal
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

from localcloud.model import FunctionSpec, LogStore

MAX_LOG_LINE_BYTES = 256 * 1024  # longer output without a newline is cut, as CloudWatch cuts events
WORKER_SCRIPT = Path(__file__).with_name("worker.py")
READ_CHUNK = 1 << 16
POLL_IN = select.POLLIN | select.POLLHUP | select.POLLERR
TIMED_OUT = object()
RECENT_LINES = 40  # what an init failure quotes of the worker's own output


class Output:
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
        return [decode(line) for line in lines]

    def flush(self) -> list[str]:
        rest, self.pending = self.pending, b""
        return [decode(rest)] if rest else []


def decode(line: bytes) -> str:
    return line.decode("utf-8", "replace").removesuffix("\r")


class Worker:
    """One execution environment: a worker process, its protocol pipes and its output pipes."""

    def __init__(
        self,
        process: subprocess.Popen,
        request_fd: int,
        response_fd: int,
        outputs: list[Output],
        *,
        address: str,
        logs: LogStore,
        generation: int,
    ):
        self.process = process
        self.request_fd = request_fd
        self.response_fd = response_fd
        self.outputs = {output.fd: output for output in outputs}
        self.lifeline: int | None = None  # the write end of the worker's lifeline pipe (see worker.py)
        self.address = address
        self.logs = logs
        self.generation = generation
        self.pending_init_ms: float | None = None
        self.max_memory_mb = 0
        self.recent: deque[str] = deque(maxlen=RECENT_LINES)  # the last lines it wrote, for an init failure
        self.last_used = time.monotonic()
        self._buffer = bytearray()
        self._poll = select.poll()
        self._poll.register(response_fd, POLL_IN)
        for fd in self.outputs:
            self._poll.register(fd, POLL_IN)
        self._closed = False
        self._close_lock = threading.Lock()

    @classmethod
    def start(cls, python: str, env: dict[str, str], spec: FunctionSpec, generation: int, logs: LogStore) -> Worker:
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        lifeline_read, lifeline_write = os.pipe()  # never written: it closes when this process dies
        try:
            process = subprocess.Popen(
                # Isolated, without site: only the stdlib, then the import path the worker is sent (its
                # package, layers and runtime SDK); never the dev venv's packages or the repository.
                [python, "-I", "-S", str(WORKER_SCRIPT), str(request_read), str(response_write), str(lifeline_read)],
                stdin=subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                pass_fds=(request_read, response_write, lifeline_read),
                env=env,
                cwd=spec.code_dir,
                start_new_session=True,
            )
        except BaseException:
            for fd in (request_write, response_read, out_read, err_read, lifeline_write):
                os.close(fd)
            raise
        finally:
            for fd in (request_read, response_write, out_write, err_write, lifeline_read):
                os.close(fd)
        worker = cls(
            process,
            request_write,
            response_read,
            [Output(out_read), Output(err_read)],
            address=spec.address,
            logs=logs,
            generation=generation,
        )
        worker.lifeline = lifeline_write
        return worker

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
        """Send one frame and wait for the answer: the reply bytes, `TIMED_OUT`, or None if the process died."""
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
                return TIMED_OUT
            for fd, _ in poll(math.ceil(remaining * 1000)):
                if fd == response_fd:
                    chunk = os.read(fd, READ_CHUNK)
                    if not chunk:
                        self.collect_output(request_id)
                        return None
                    buffer += chunk
                else:
                    self._read_output(fd, request_id)

    def _read_output(self, fd: int, request_id: str | None, discard: bool = False) -> None:
        output = self.outputs[fd]
        chunk = os.read(fd, READ_CHUNK)
        if not chunk:
            output.open = False
            self._poll.unregister(fd)
            lines = output.flush()
        else:
            lines = output.feed(chunk)
        if not discard:
            self._log(lines, request_id)

    def _log(self, lines: list[str], request_id: str | None) -> None:
        for line in lines:
            self.recent.append(line)
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
            lines = output.flush()
            if not discard:
                self._log(lines, request_id)

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
        for fd in (self.request_fd, self.response_fd, self.lifeline, *self.outputs):
            if fd is None:
                continue
            with contextlib.suppress(OSError):
                os.close(fd)
