"""The shapes the localcloud modules pass each other.

`provision` turns templates into a `Deployment`: every resource with its properties already resolved
(no intrinsics left), its Ref value and its GetAtt attributes. The emulators (`lambdas`, `gateway`,
`sources`, `identity`, `console`) read only this, never the templates.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT_ID = "123456789012"
# what localcloud itself signs with: the local admin, never checked against IAM (not issued by Cognito)
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Both make one DynamoDB table here (a global table's replicas in other regions are not emulated): what
# treats tables (reset, persistence, the data browser) treats both.
TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")


@dataclass
class Resource:
    stack: str  # stack path: "" for the root, "Todos" for a nested app, "Todos/Inner" deeper
    logical_id: str
    type: str  # CloudFormation type after the SAM transform, e.g. "AWS::DynamoDB::Table"
    properties: dict[str, Any]  # intrinsics resolved
    ref: str = ""  # what Ref returns (physical id, ARN, name... as CloudFormation does)
    attrs: dict[str, Any] = field(default_factory=dict)  # what GetAtt returns, by attribute name
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        """`Stack/LogicalId`, the identifier the CLI and error messages use (as `sam local` does)."""
        return f"{self.stack}/{self.logical_id}" if self.stack else self.logical_id


@dataclass
class FunctionSpec:
    """A Lambda function as the worker pool runs it."""

    address: str  # "Todos/ReadTodosFunction"
    name: str  # physical FunctionName
    arn: str
    handler: str  # "pkg.module.func"
    runtime: str
    code_dir: Path
    layer_dirs: list[Path] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    timeout: int = 3
    memory: int = 128
    reserved_concurrency: int | None = None
    architectures: list[str] = field(default_factory=lambda: ["x86_64"])
    # What the worker runs on, filled by the packager (lambdas.packaging) before the function is registered:
    # the interpreter of its runtime, and its whole import path (code, package, layers, the runtime's boto3).
    python: str = ""
    import_path: list[Path] = field(default_factory=list)


@dataclass
class Deployment:
    region: str
    account_id: str
    aws_endpoint: str  # the URL boto3 clients use (localcloud's front to moto)
    http_endpoint: str = ""  # the local HTTP server's URL (APIs, Function URLs), when it is known
    resources: list[Resource] = field(default_factory=list)
    functions: dict[str, FunctionSpec] = field(default_factory=dict)  # by ARN
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by stack path ("" = root)
    layers: dict[str, Path] = field(default_factory=dict)  # layer version ARN -> local content dir
    external_layers: dict[str, Path] = field(default_factory=dict)  # `--layer ARN=DIR`: layers not in the app
    layer_builds: dict[Path, str] = field(default_factory=dict)  # layer content dir -> BuildMethod (python3.13)
    errors: list[str] = field(default_factory=list)  # what could not be provisioned, by resource
    not_emulated: list[str] = field(default_factory=list)  # "Address (Type)": ids only, nothing behind them
    notices: list[str] = field(default_factory=list)  # what start-up prints about how a stand-in behaves
    # endpoints of resources not emulated (a DAX cluster's) -> the resource's address: a function variable
    # holding one reaches the function empty, so code that treats an empty endpoint as "off" uses the
    # service behind it
    absent_endpoints: dict[str, str] = field(default_factory=dict)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def find(self, stack: str, logical_id: str) -> Resource | None:
        for r in self.resources:
            if r.stack == stack and r.logical_id == logical_id:
                return r
        return None

    def function(self, key: str) -> FunctionSpec | None:
        """By ARN (qualified or not), physical name or `Stack/LogicalId` address."""
        if key in self.functions:
            return self.functions[key]
        bare = key.split(":function:")[-1].split(":")[0] if ":function:" in key else key
        for spec in self.functions.values():
            if bare in (spec.name, spec.address):
                return spec
        return None

    def find_function(self, key: str) -> FunctionSpec:
        """What `invoke` accepts, as `sam local invoke` does: an address, ARN or name, or a bare logical
        id when exactly one stack has it. Raises FunctionNotFound with the valid names."""
        spec = self.function(key)
        if spec is not None:
            return spec
        matches = sorted(s.address for s in self.functions.values() if s.address.rsplit("/", 1)[-1] == key)
        if len(matches) == 1:
            return self.function(matches[0])  # type: ignore[return-value]
        if matches:
            raise FunctionNotFound(f"function {key!r} is ambiguous; say which: {', '.join(matches)}")
        known = ", ".join(sorted(s.address for s in self.functions.values())) or "none"
        raise FunctionNotFound(f"no function {key!r}; functions: {known}")


class EventLog:
    """Every message that crossed a queue, topic or stream (what the console shows), newest last.

    Listeners (the terminal's delivery lines) run on the recording thread after the entry is stored,
    so they must only hand the entry off.
    """

    def __init__(self, size: int = 2000):
        self._items: deque[dict] = deque(maxlen=size)
        self._lock = threading.Lock()
        self._listeners: list[Callable[[dict], None]] = []

    def subscribe(self, listener: Callable[[dict], None]) -> None:
        self._listeners.append(listener)

    def record(self, channel: str, kind: str, name: str, body: Any, **extra: Any) -> None:
        entry = {"time": time.time(), "channel": channel, "kind": kind, "name": name, "body": body, **extra}
        with self._lock:
            self._items.append(entry)
        for listener in self._listeners:
            listener(entry)

    def entries(self) -> list[dict]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class LogStore:
    """Captured function output, per function address, bounded."""

    def __init__(self, per_function: int = 1000):
        self._logs: dict[str, deque[dict]] = {}
        self._size = per_function
        self._lock = threading.Lock()

    def append(self, function: str, line: str, request_id: str | None = None) -> None:
        with self._lock:
            bucket = self._logs.setdefault(function, deque(maxlen=self._size))
            bucket.append({"time": time.time(), "request_id": request_id, "line": line})

    def lines(self, function: str) -> list[dict]:
        with self._lock:
            return list(self._logs.get(function, ()))

    def functions(self) -> list[str]:
        with self._lock:
            return sorted(self._logs)

    def clear(self) -> None:
        with self._lock:
            self._logs.clear()


@dataclass
class HttpRequest:
    """One HTTP request as the local servers hand it to the gateway, the CDN or the console."""

    method: str
    path: str  # raw path, percent-encoded as received, without the query string
    query: str  # raw query string, without "?"
    headers: list[tuple[str, str]]  # in arrival order, names as sent
    body: bytes
    client_ip: str = "127.0.0.1"

    def header(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return default


@dataclass(frozen=True)
class FileSlice:
    """A streamed body chunk that is `count` bytes of an open file from `offset`. The local HTTP server
    sends it with `sendfile`, so a large cached body goes from the page cache to the socket without passing
    through Python; anything else reads it as bytes (`bytes(chunk)`, `b"".join(...)`: the buffer protocol).
    The file must stay open until the chunk is sent: the producer closes it when its iterator ends."""

    file: Any  # a binary file object with fileno()
    offset: int
    count: int

    def __len__(self) -> int:
        return self.count

    def __buffer__(self, flags: int) -> memoryview:
        return memoryview(os.pread(self.file.fileno(), self.count, self.offset))


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


@dataclass
class InvokeResult:
    """What invoking a function gave: a payload, or an error shaped as Lambda reports it."""

    request_id: str
    payload: Any = None
    error: dict | None = None  # {"errorType": ..., "errorMessage": ..., "stackTrace": [...]} on failure
    duration_ms: float = 0.0


class Throttled(Exception):
    """Reserved concurrency is exhausted: sync callers answer 429, async sources retry later."""


class FunctionNotFound(LookupError):
    pass
