"""The lines `localcloud up` prints while it serves: one per API request, one per async delivery.

    21:46:13.660 API  GET    /e4a54308d5/v1/todos 200 12ms  Todos/ReadTodosFunction  9f3c0f0e-…
    21:46:13.712 SQS  platform-Inbox → Media/MakeThumbnails  batch 2  ok  1b2c…

Request threads and pollers only append to a bounded deque and wake the writer, so a request never
waits on the terminal: one writer thread formats, writes and flushes. A terminal that stops reading
(paused, piped into something slow) costs at most `backlog` lines, dropped oldest first and counted in
a line of their own.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from typing import Any, TextIO

from localcloud.model import EventLog
from localcloud.requestlog import Exchange, RequestLog

DELIVERY_KINDS = ("delivery", "dead-letter", "on-failure", "dropped", "discarded")
_COLORS = {"2": "32", "3": "36", "4": "33", "5": "31", "ok": "32", "partial": "33", "error": "31"}


class Terminal:
    """Prints request and delivery lines to `stream` from its own thread (`start`, `stop`)."""

    def __init__(self, stream: TextIO = sys.stdout, *, color: bool | None = None, backlog: int = 10_000):
        self.stream = stream
        self.color = bool(getattr(stream, "isatty", lambda: False)()) if color is None else color
        self._pending: deque[tuple[str, Any]] = deque()
        self._backlog = backlog
        self._dropped = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def attach(self, requests: RequestLog, events: EventLog) -> Terminal:
        requests.subscribe(lambda exchange: self._push("request", exchange))
        events.subscribe(self._on_event)
        return self

    def start(self) -> Terminal:
        self._thread = threading.Thread(target=self._run, name="localcloud-terminal", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 2.0) -> None:
        """Write what is pending, then end the writer thread."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # producers (request and poller threads): no I/O here ---------------------------------------------

    def _on_event(self, entry: dict) -> None:
        if entry.get("kind") in DELIVERY_KINDS:
            self._push("event", entry)

    def _push(self, kind: str, item: Any) -> None:
        with self._lock:
            if len(self._pending) >= self._backlog:
                self._pending.popleft()
                self._dropped += 1
            self._pending.append((kind, item))
        self._wake.set()

    # the writer -------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            with self._lock:
                batch, self._pending = list(self._pending), deque()
                dropped, self._dropped = self._dropped, 0
            lines = [f"… {dropped} lines dropped (the terminal fell behind)"] if dropped else []
            for kind, item in batch:
                try:
                    line = request_line if kind == "request" else delivery_line
                    lines.append(line(item, self.color))
                except Exception as exc:  # a line we cannot format must not end the writer
                    lines.append(f"(unprintable {kind}: {type(exc).__name__}: {exc})")
            if lines:
                try:
                    self.stream.write("\n".join(lines) + "\n")
                    self.stream.flush()
                except (OSError, ValueError):  # the terminal went away (closed pipe): stop printing
                    return
            if self._stopping:
                return


def request_line(x: Exchange, color: bool = False) -> str:
    status = _paint(str(x.status), _COLORS.get(str(x.status)[:1]), color)
    function = x.function or "-"
    return f"{_clock(x.time)} API  {x.method:<6} {x.path} {status} {x.ms:.0f}ms  {function}  {x.id}"


def delivery_line(entry: dict, color: bool = False) -> str:
    channel = str(entry.get("channel", "")).upper()
    source = entry.get("name") or entry.get("source") or "?"
    function = entry.get("function") or entry.get("destination") or "?"  # Firehose delivers to an object
    head = f"{_clock(entry.get('time'))} {channel:<4} {source} → {function}"
    kind = entry.get("kind")
    if kind != "delivery":
        where = entry.get("destination") or entry.get("note") or ""
        return f"{head}  {_paint(str(kind), '31', color)}  {where}".rstrip()
    outcome = str(entry.get("outcome") or "")
    size = _batch_size(entry.get("body"))
    line = f"{head}  batch {size}  {_paint(outcome, _COLORS.get(outcome), color)}"
    error = entry.get("error")
    failed = entry.get("failed") or []
    if isinstance(error, dict) and error:
        line += f" ({error.get('errorType')}: {str(error.get('errorMessage') or '')[:120]})"
    elif failed and outcome in ("partial", "error"):
        line += f" ({len(failed)} of {size} failed)"
    if entry.get("request_id"):
        line += f"  {entry['request_id']}"
    return line


def _batch_size(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("Records"), list):
        return len(body["Records"])
    if isinstance(body, dict) and isinstance(body.get("records"), int):  # a Firehose object's summary
        return body["records"]
    return 1


def _clock(timestamp: Any) -> str:
    if not isinstance(timestamp, (int, float)):
        return "--:--:--.---"
    return time.strftime("%H:%M:%S", time.localtime(timestamp)) + f".{int(timestamp % 1 * 1000):03d}"


def _paint(text: str, code: str | None, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color and code else text
