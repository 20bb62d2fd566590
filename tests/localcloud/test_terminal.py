"""The terminal lines of `localcloud up`: their content, and that a stuck terminal never holds a request."""

from __future__ import annotations

import io
import threading
import time

from localcloud.model import EventLog, HttpResponse, InvokeResult
from localcloud.requestlog import RequestLog, note_call
from localcloud.terminal import Terminal, delivery_line, request_line


def _served(log: RequestLog, status: int = 200, function: str | None = "Todos/ReadTodosFunction"):
    exchange = log.open("9f3c0f0e-0000-4000-8000-000000000001", "GET", "/abc/v1/todos", "", [], b"")
    if function:
        note_call(function, "integration", {}, InvokeResult("lambda-req-1"))
    log.close(exchange, HttpResponse(status))
    return exchange


def test_request_line_has_time_method_path_status_ms_function_and_request_id():
    exchange = _served(RequestLog())

    line = request_line(exchange)

    assert "API  GET    /abc/v1/todos 200 " in line
    assert line.endswith("ms  Todos/ReadTodosFunction  9f3c0f0e-0000-4000-8000-000000000001")
    assert line[2] == ":" and line[8] == "."  # HH:MM:SS.mmm first


def test_a_request_no_function_served_shows_a_dash_and_colors_only_on_a_tty():
    exchange = _served(RequestLog(), status=404, function=None)

    assert " 404 " in request_line(exchange) and "ms  -  " in request_line(exchange)
    assert "\x1b[33m404\x1b[0m" in request_line(exchange, color=True)


def test_delivery_lines_name_source_function_batch_and_outcome():
    entry = {
        "time": 1_700_000_000.25,
        "channel": "sqs",
        "kind": "delivery",
        "name": "orders",
        "function": "Shop/Consumer",
        "body": {"Records": [{}, {}, {}]},
        "outcome": "partial",
        "failed": ["m2"],
        "request_id": "lambda-req-2",
    }
    assert delivery_line(entry).endswith("SQS  orders → Shop/Consumer  batch 3  partial (1 of 3 failed)  lambda-req-2")

    failed = {**entry, "channel": "s3", "outcome": "error", "failed": [], "body": {"Records": [{}]}}
    failed["error"] = {"errorType": "ValueError", "errorMessage": "bad image"}
    assert "S3   orders → Shop/Consumer  batch 1  error (ValueError: bad image)" in delivery_line(failed)

    dlq = {"time": 1.0, "channel": "sqs", "kind": "dead-letter", "name": "orders-dlq", "function": "Shop/Consumer"}
    dlq["note"] = "moved to the DLQ when its visibility timeout ends"
    assert delivery_line(dlq).endswith(
        "orders-dlq → Shop/Consumer  dead-letter  moved to the DLQ when its visibility timeout ends"
    )


def test_requests_and_deliveries_reach_the_stream_and_other_events_do_not():
    requests, events, out = RequestLog(), EventLog(), io.StringIO()
    terminal = Terminal(out).attach(requests, events).start()

    _served(requests)
    events.record("sqs", "SendMessage", "orders", "hello")  # a message going in is not a delivery
    events.record("sqs", "delivery", "orders", {"Records": [{}]}, function="Fn", outcome="ok", request_id="r")
    terminal.stop()

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert " API  GET " in lines[0] and "orders → Fn  batch 1  ok  r" in lines[1]


class _StuckStream(io.StringIO):
    """A terminal that stops reading: every write blocks until released."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def write(self, text: str) -> int:
        self.release.wait(10)
        return super().write(text)


def test_a_stuck_terminal_never_holds_a_request_and_drops_the_oldest_lines():
    requests, stream = RequestLog(), _StuckStream()
    terminal = Terminal(stream, backlog=5).attach(requests, EventLog()).start()

    started = time.perf_counter()
    for _ in range(200):
        _served(requests)
    elapsed = time.perf_counter() - started
    stream.release.set()
    terminal.stop()

    assert elapsed < 1.0  # 200 requests, none waiting on the blocked write
    text = stream.getvalue()
    assert "lines dropped (the terminal fell behind)" in text
    assert text.count(" API ") <= 6
