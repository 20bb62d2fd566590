"""A lean threaded HTTP/1.1 server for the gateway, the console and the CDN.

`http.server` spends most of a small request in email-style header parsing and per-request object setup;
this reads the request line and headers straight off a buffered socket file, supports keep-alive,
Content-Length and chunked bodies and `Expect: 100-continue`, and writes each response in one `sendall`.
One thread per connection, as a browser or a requests.Session keeps a few connections open at most.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import BinaryIO

from localcloud.model import FileSlice, HttpRequest, HttpResponse

log = logging.getLogger(__name__)

MAX_LINE = 16 * 1024
MAX_HEADER_BYTES = 64 * 1024
MAX_HEADERS = 200
MAX_BODY = 64 * 1024 * 1024
IDLE_TIMEOUT = 120.0

REASONS = {s.value: s.phrase for s in HTTPStatus}
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Listener:
    """Accepts connections on a background thread, one thread per connection; subclasses serve them.
    `.url`, `.port`, `.close()`."""

    thread_name = "httpserver"

    def __init__(self, host: str, port: int):
        self._sock = socket.create_server((host, port), backlog=256, reuse_port=False)
        self.host = host
        self.port = self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept_loop, name=f"{self.thread_name}:{self.port}", daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                conn, addr = self._sock.accept()
            except OSError:
                if self._closed:
                    return
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._connection, args=(conn, addr), daemon=True).start()

    def _connection(self, conn: socket.socket, addr: tuple) -> None:
        conn.settimeout(IDLE_TIMEOUT)
        rfile = conn.makefile("rb", buffering=65536)
        try:
            self._serve_connection(conn, rfile, addr)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                rfile.close()
                conn.close()

    def _serve_connection(self, conn: socket.socket, rfile: BinaryIO, addr: tuple) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop accepting, drop open connections and wait for the accept loop to end."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            self._sock.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Server(Listener):
    """Serves `HttpRequest -> HttpResponse` handlers, bodies read whole (up to MAX_BODY)."""

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse], host: str, port: int):
        self._handler = handler
        super().__init__(host, port)

    def _serve_connection(self, conn: socket.socket, rfile: BinaryIO, addr: tuple) -> None:
        client_ip = addr[0]
        while not self._closed:
            try:
                parsed = _read_request(rfile, conn)
            except BadRequest as exc:
                _send(conn, _error(exc.status, exc.message), "GET", keep_alive=False)
                linger(conn)
                return
            if parsed is None:
                return
            method, target, version, headers, body = parsed
            path, _, query = target.partition("?")
            req = HttpRequest(method=method, path=path, query=query, headers=headers, body=body, client_ip=client_ip)
            try:
                resp = self._handler(req)
            except Exception:
                log.exception("handler failed on %s %s", method, path)
                resp = _error(500, "Internal server error")
            keep_alive = keep_alive_requested(version, headers)
            if not _send(conn, resp, method, keep_alive):
                return


def serve(handler: Callable[[HttpRequest], HttpResponse], host: str = "127.0.0.1", port: int = 0) -> Server:
    """Start serving `handler` on a background thread; port 0 picks a free port."""
    return Server(handler, host, port)


def read_head(rfile: BinaryIO) -> tuple[str, str, str, list[tuple[str, str]]] | None:
    """(method, target, version, headers) of the next request, None at end of stream; target is origin-form."""
    line = rfile.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # tolerate stray CRLF between keep-alive requests
        line = rfile.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE:
        raise BadRequest(414, "Request line too long")
    parts = line.decode("latin-1").rstrip("\r\n").split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/"):
        raise BadRequest(400, "Malformed request line")
    method, target, version = parts
    if not target.startswith("/"):
        if "://" in target:  # absolute-form
            rest = target.split("://", 1)[1]
            target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
        else:
            raise BadRequest(400, "Malformed request target")
    headers: list[tuple[str, str]] = []
    total = 0
    while True:
        hline = rfile.readline(MAX_LINE + 1)
        if not hline:
            return None
        total += len(hline)
        if len(hline) > MAX_LINE or total > MAX_HEADER_BYTES or len(headers) >= MAX_HEADERS:
            raise BadRequest(431, "Request header fields too large")
        if hline in (b"\r\n", b"\n"):
            return method, target, version, headers
        name, sep, value = hline.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "Malformed header line")
        headers.append((name, value.strip()))


def content_length(value: str) -> int:
    try:
        length = int(value)
    except ValueError:
        raise BadRequest(400, "Invalid Content-Length") from None
    if length < 0:
        raise BadRequest(400, "Invalid Content-Length")
    return length


def _read_request(rfile: BinaryIO, conn: socket.socket):
    head = read_head(rfile)
    if head is None:
        return None
    method, target, version, headers = head
    lowered = {k.lower(): v for k, v in headers}
    if lowered.get("expect", "").lower() == "100-continue":
        conn.sendall(CONTINUE)
    if "chunked" in lowered.get("transfer-encoding", "").lower():
        body = _read_chunked(rfile)
    elif "content-length" in lowered:
        length = content_length(lowered["content-length"])
        if length > MAX_BODY:
            raise BadRequest(413, "Request body too large")
        body = rfile.read(length) if length else b""
        if len(body) != length:
            return None
    else:
        body = b""
    return method, target, version, headers, body


def _read_chunked(rfile: BinaryIO) -> bytes:
    chunks = []
    size_total = 0
    while True:
        line = rfile.readline(MAX_LINE + 1)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadRequest(400, "Malformed chunk size") from None
        if size == 0:
            while True:  # trailers
                trailer = rfile.readline(MAX_LINE + 1)
                if trailer in (b"\r\n", b"\n", b""):
                    return b"".join(chunks)
        size_total += size
        if size_total > MAX_BODY:
            raise BadRequest(413, "Request body too large")
        chunk = rfile.read(size)
        if len(chunk) != size:
            raise BadRequest(400, "Truncated chunk")
        chunks.append(chunk)
        rfile.readline(MAX_LINE + 1)


def linger(conn: socket.socket) -> None:
    """Half-close and drain what the client still sends, so it reads our error instead of a reset."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(0.5)
        drained = 0
        while drained < MAX_BODY:
            chunk = conn.recv(65536)
            if not chunk:
                break
            drained += len(chunk)


def keep_alive_requested(version: str, headers: list[tuple[str, str]]) -> bool:
    connection = ""
    for k, v in headers:
        if k.lower() == "connection":
            connection = v.lower()
    if version == "HTTP/1.0":
        return "keep-alive" in connection
    return "close" not in connection


def _error(status: int, message: str) -> HttpResponse:
    """`{"message", "code"}`, the error shape of every API's openapi.yaml: 414 URI_TOO_LONG → UriTooLong."""
    code = "".join(word.capitalize() for word in HTTPStatus(status).name.split("_"))
    body = json.dumps({"message": message, "code": code}).encode()
    return HttpResponse(status, [("Content-Type", "application/json")], body)


def _send(conn: socket.socket, resp: HttpResponse, method: str, keep_alive: bool) -> bool:
    """Write the response; False when the connection must close (a streamed body broke off).

    A body that is not bytes is an iterable of chunks, streamed as it comes: with its own Content-Length
    header when the response has one, else with chunked transfer coding."""
    status = int(resp.status)
    streamed = not isinstance(resp.body, (bytes, bytearray, str)) and resp.body is not None
    body = (
        b"" if streamed else (resp.body if isinstance(resp.body, (bytes, bytearray)) else str(resp.body or "").encode())
    )
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Unknown')}"]
    declared: int | None = None
    for name, value in resp.headers:
        lowered = name.lower()
        if lowered == "content-length" and streamed and value.isdigit():
            declared = int(value)
        if lowered in ("content-length", "connection", "transfer-encoding"):
            continue
        if "\n" in value or "\r" in value:
            value = value.replace("\r", " ").replace("\n", " ")
        lines.append(f"{name}: {value}")
    no_body = status in (204, 304) or 100 <= status < 200
    if not no_body:
        if not streamed:
            lines.append(f"Content-Length: {len(body)}")
        elif declared is not None:
            lines.append(f"Content-Length: {declared}")
        else:
            lines.append("Transfer-Encoding: chunked")
    if not streamed:
        head = encode_head(lines, keep_alive)
        conn.sendall(head if method == "HEAD" or no_body else head + body)
        return keep_alive
    return _stream(conn, encode_head(lines, keep_alive), resp.body, method == "HEAD" or no_body, declared)


def _stream(conn: socket.socket, head: bytes, chunks, bodiless: bool, declared: int | None) -> bool:
    iterator = iter(chunks)
    try:
        if bodiless:
            conn.sendall(head)
            return True
        pending = head
        sent = 0
        for chunk in iterator:
            if not chunk:
                continue
            sent += len(chunk)
            if isinstance(chunk, FileSlice):
                _send_slice(conn, pending, chunk, chunked=declared is None)
            else:
                data = chunk if declared is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk)
                conn.sendall(pending + data if pending else data)
            pending = b""
        if declared is None:
            conn.sendall(pending + b"0\r\n\r\n")
        elif pending:
            conn.sendall(pending)
        return declared is None or sent == declared
    except Exception:
        log.warning("streamed response broke off", exc_info=True)
        return False
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _send_slice(conn: socket.socket, pending: bytes, chunk: FileSlice, *, chunked: bool) -> None:
    """A file region straight from the kernel's page cache to the socket (`sendfile`)."""
    if chunked:
        pending += b"%x\r\n" % chunk.count
    if pending:
        conn.sendall(pending)
    sent = conn.sendfile(chunk.file, chunk.offset, chunk.count)
    if sent != chunk.count:
        raise OSError(f"the file ended {chunk.count - sent} bytes before its slice")
    if chunked:
        conn.sendall(b"\r\n")


def encode_head(lines: list[str], keep_alive: bool) -> bytes:
    """The status line and header lines as bytes, with `Connection: close` unless kept alive."""
    if not keep_alive:
        lines.append("Connection: close")
    text = "\r\n".join(lines) + "\r\n\r\n"
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
