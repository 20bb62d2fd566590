"""Every API request the gateway served, with what its functions received and answered, newest last.

The gateway opens one `Exchange` per request and the function calls it makes (authorizers, then the
integration) attach themselves to it through a context variable, so no pipeline signature changes. The
log is bounded like `EventLog`, and large bodies are cut to `MAX_BODY` characters so a burst of uploads
cannot hold megabytes each. Listeners (the terminal) are called on the request's thread after the
entry is stored: they must only hand the record off, never do I/O.
"""

from __future__ import annotations

import base64
import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.model import HttpResponse, InvokeResult

MAX_BODY = 256 * 1024
_current: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar("localcloud_exchange", default=None)


@dataclass
class Invocation:
    """One function call made while serving a request."""

    function: str  # Stack/LogicalId when the deployment knows it, else what the integration named
    role: str  # "integration" or "authorizer"
    request_id: str  # Lambda's request id: the one the function's log lines carry
    event: Any
    payload: Any = None
    error: dict | None = None
    duration_ms: float = 0.0


@dataclass
class Exchange:
    """One API request: what came in, which functions ran, what went out."""

    id: str  # API Gateway's request id (x-amzn-RequestId, requestContext.requestId)
    time: float
    method: str
    path: str
    query: str
    request_headers: list[tuple[str, str]]
    request_body: str
    api: str = ""  # Stack/LogicalId of the API, "" when no API matched
    api_id: str = ""
    stage: str = ""
    status: int = 0
    ms: float = 0.0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: str = ""
    invocations: list[Invocation] = field(default_factory=list)
    _started: float = field(default=0.0, repr=False)

    @property
    def function(self) -> str:
        """The integration's function, or the last one that ran (an authorizer that refused)."""
        for call in reversed(self.invocations):
            if call.role == "integration":
                return call.function
        return self.invocations[-1].function if self.invocations else ""

    @property
    def function_request_id(self) -> str:
        for call in reversed(self.invocations):
            if call.function == self.function:
                return call.request_id
        return ""

    def summary(self) -> dict[str, Any]:
        """The list view: no bodies, no events."""
        return {
            "id": self.id,
            "time": self.time,
            "api": self.api,
            "stage": self.stage,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "ms": round(self.ms, 1),
            "function": self.function,
            "function_request_id": self.function_request_id,
        }

    def detail(self) -> dict[str, Any]:
        return {
            **self.summary(),
            "api_id": self.api_id,
            "query": self.query,
            "request": {"headers": self.request_headers, "body": self.request_body},
            "response": {"status": self.status, "headers": self.response_headers, "body": self.response_body},
            "invocations": [vars(call) for call in self.invocations],
        }


class RequestLog:
    """The last `size` exchanges, newest last."""

    def __init__(self, size: int = 500):
        self._items: deque[Exchange] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[Exchange], None]] = []

    def subscribe(self, listener: Callable[[Exchange], None]) -> None:
        self._listeners.append(listener)

    def open(self, request_id: str, method: str, path: str, query: str, headers: list, body: bytes) -> Exchange:
        """Start recording a request on this thread; `close` stores it."""
        exchange = Exchange(
            request_id, time.time(), method, path, query, list(headers), _text(body), _started=time.perf_counter()
        )
        _current.set(exchange)
        return exchange

    def close(self, exchange: Exchange, response: HttpResponse) -> None:
        exchange.ms = (time.perf_counter() - exchange._started) * 1000
        exchange.status = response.status
        exchange.response_headers = list(response.headers)
        exchange.response_body = _text(response.body)
        _current.set(None)
        with self._lock:
            self._items.append(exchange)
        for listener in self._listeners:
            listener(exchange)

    def entries(self) -> list[Exchange]:
        with self._lock:
            return list(self._items)

    def find(self, request_id: str) -> Exchange | None:
        with self._lock:
            return next((x for x in self._items if x.id == request_id), None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def current() -> Exchange | None:
    """The exchange being served on this thread, if any."""
    return _current.get()


def note_call(function: str, role: str, event: Any, result: InvokeResult) -> None:
    """Attach a function call to the request being served (a no-op outside one)."""
    exchange = _current.get()
    if exchange is None:
        return
    exchange.invocations.append(
        Invocation(function, role, result.request_id, _trimmed_event(event), result.payload, result.error,
                   round(result.duration_ms, 1))
    )  # fmt: skip


def _text(body: bytes) -> str:
    """A body as text for people: UTF-8 when it is, else base64 (marked); only its first MAX_BODY bytes
    are read, so a large upload costs the request no more than that."""
    head = body[:MAX_BODY]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(body) > MAX_BODY and exc.start >= len(head) - 3:  # the cut fell inside a character
            text = head[: exc.start].decode("utf-8", "replace")
        else:
            text = "base64:" + base64.b64encode(head[: MAX_BODY // 4 * 3]).decode("ascii")
    if len(body) > MAX_BODY:
        text += f"\n… cut at {MAX_BODY} of {len(body)} bytes"
    return text


def _trimmed_event(event: Any) -> Any:
    """A proxy event keeps its shape; only an oversized `body` is cut (on a copy)."""
    if isinstance(event, dict) and isinstance(event.get("body"), str) and len(event["body"]) > MAX_BODY:
        return {**event, "body": event["body"][:MAX_BODY] + f"… cut at {MAX_BODY} characters"}
    return event
