"""The threads every poller runs in: isolated, restartable, never dying of an exception.

A poller that fails (its queue is missing, moto hiccups, a bug) logs the error once in the event log
under its resource address and backs off; the other pollers keep running.

Stopping is quick even though SQS pollers long-poll: a thread parked in a receive finishes it in the
background and then exits, handing back anything it received (visibility 0) — or, if the poller was
started again meanwhile, simply carries on as one of its threads.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from localcloud.model import EventLog, InvokeResult, Throttled

from .idle import Activity

log = logging.getLogger("localcloud.sources")

MAX_ERROR_BACKOFF = 10.0
THROTTLE_BACKOFF = (0.05, 1.0)


class Stopped(Exception):
    """The poller was stopped or reset while it held work; the work is left for the source to redeliver."""


class Poller(ABC):
    channel = "sources"

    def __init__(self, address: str, name: str, events: EventLog, activity: Activity, threads: int = 1):
        self.address = address
        self.name = name
        self.events = events
        self.activity = activity
        self.ready = False
        self._threads_wanted = max(1, threads)
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._generation = 0
        self._last_error: str | None = None
        self._setup_lock = threading.Lock()
        self._lifecycle = threading.Lock()

    # lifecycle --------------------------------------------------------------------------------------

    def setup(self) -> None:  # noqa: B027 - an optional hook
        """Resolve the source (queue URL, shards...). Raises when it does not exist."""

    @abstractmethod
    def poll_once(self) -> None:
        """Receive and deliver at most one batch."""

    @abstractmethod
    def quiet(self) -> bool:
        """Whether the source holds nothing left to deliver."""

    def reset(self) -> None:
        """Drop in-memory progress (called after the data was wiped); held work is abandoned."""
        self._generation += 1
        self._wake.set()

    def try_setup(self) -> bool:
        with self._setup_lock:
            if self.ready:
                return True
            try:
                self.setup()
            except Exception as exc:
                self.report_error(exc, "setup failed")
                return False
            self.ready = True
            self._last_error = None
            return True

    def start(self) -> None:
        """Run `threads` polling threads (threads still finishing a receive from before are reused)."""
        with self._lifecycle:
            self._stop.clear()
            for index in range(len(self._threads), self._threads_wanted):
                thread = threading.Thread(target=self._run, name=f"sources:{self.address}:{index}", daemon=True)
                self._threads.append(thread)
                thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    def alive_threads(self) -> int:
        with self._lifecycle:
            return sum(t.is_alive() for t in self._threads)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wake(self) -> None:
        self._wake.set()

    def sleep(self, seconds: float) -> None:
        """Sleep unless woken (by `wake`, `stop` or a wait_idle probe that saw pending input)."""
        if self._wake.wait(seconds):
            self._wake.clear()

    def _run(self) -> None:
        failures = 0
        while True:
            with self._lifecycle:
                if self._stop.is_set():
                    self._threads.remove(threading.current_thread())
                    return
            try:
                if not self.try_setup():
                    failures += 1
                    self._stop.wait(min(0.5 * 2**failures, MAX_ERROR_BACKOFF))
                    continue
                self.poll_once()
                failures = 0
            except Stopped:
                continue
            except Exception as exc:
                failures += 1
                self.report_error(exc, "poller error")
                self._stop.wait(min(0.1 * 2**failures, MAX_ERROR_BACKOFF))

    # helpers ----------------------------------------------------------------------------------------

    def report_error(self, exc: BaseException, what: str) -> None:
        message = f"{self.address}: {what}: {type(exc).__name__}: {exc}"
        if message == self._last_error:
            return
        self._last_error = message
        log.error("%s", message)
        self.events.record(self.channel, "error", self.name, {"error": message}, source=self.address)

    def check_live(self, generation: int) -> None:
        if self._stop.is_set() or generation != self._generation:
            raise Stopped

    def invoke_until_accepted(
        self,
        invoke: Callable[[str, dict], InvokeResult],
        function_arn: str,
        event: dict,
        generation: int,
        on_wait: Callable[[float], None] | None = None,
    ) -> InvokeResult:
        """Invoke, retrying a throttled call after a backoff without counting it as an attempt.

        Any other exception from the invoker (function missing, worker crash) becomes a failed result.
        """
        delay, cap = THROTTLE_BACKOFF
        waited = 0.0
        while True:
            self.check_live(generation)
            try:
                return invoke(function_arn, event)
            except Throttled:
                self.sleep(delay)
                waited += delay
                if on_wait is not None:
                    on_wait(waited)
                delay = min(delay * 2, cap)
            except Exception as exc:
                return InvokeResult(
                    request_id="",
                    error={"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": []},
                )
