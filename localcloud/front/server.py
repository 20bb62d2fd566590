"""A lean threaded WSGI server for the AWS endpoint (the front and moto behind it).

werkzeug's development server, which served the endpoint before, closes the connection after every
response (http.server cannot drain a request it did not read), so every AWS call paid a TCP connect, a
new thread and `http.server`'s email-style header parsing. This one keeps connections alive, reads the
request head with `httpserver.read_head`, and builds the environ werkzeug's server and moto's request
handler (`MotoRequestHandler`) would build: the same keys, the same header folding, and the original
spelling of `x-amz-meta-*` headers whose names hold underscores.

Bodies: up to `INLINE_BODY` bytes are read before the app runs; larger ones, and chunked ones, stream
from the socket, and whatever the app leaves unread is drained (or the connection closed) before the next
request. `Expect: 100-continue` is answered at once. Responses with a Content-Length (or a list body) go
out as they are; others are sent chunked. HEAD, 1xx, 204 and 304 responses carry no body.
"""

from __future__ import annotations

import io
import logging
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from werkzeug.serving import DechunkedInput

from localcloud.httpserver import (
    CONTINUE,
    REASONS,
    BadRequest,
    Listener,
    content_length,
    encode_head,
    linger,
    read_head,
)

log = logging.getLogger(__name__)

INLINE_BODY = 1024 * 1024
MAX_DRAIN = 4 * 1024 * 1024
_SEND_TOGETHER = 256 * 1024
PRESERVED_HEADER_NAMES = "moto.preserved_header_names"  # moto.core.request.PRESERVED_HEADER_NAMES_ENVIRON_KEY
_NO_BODY_STATUSES = frozenset({204, 304})


class WsgiServer(Listener):
    """Serves one WSGI app: `.url`, `.port`, `.server_port`, `.close()` (alias `.shutdown()`)."""

    thread_name = "aws-endpoint"

    def __init__(self, app: Callable, host: str, port: int):
        self._app = app
        super().__init__(host, port)
        self.server_port = self.port
        self._base = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "SERVER_SOFTWARE": "localcloud",
            "SCRIPT_NAME": "",
            "SERVER_NAME": host,
            "SERVER_PORT": str(self.port),
        }

    def shutdown(self) -> None:
        self.close()

    def _serve_connection(self, conn: socket.socket, rfile: BinaryIO, addr: tuple) -> None:
        while not self._closed:
            try:
                head = read_head(rfile)
                if head is None:
                    return
                environ, body = self._environ(head, rfile, conn, addr)
            except BadRequest as exc:
                message = exc.message.encode()
                conn.sendall(_head(exc.status, [("Content-Type", "text/plain")], len(message), False) + message)
                linger(conn)
                return
            if environ is None:
                return
            if not self._respond(conn, environ, body):
                return

    def _environ(
        self, head: tuple[str, str, str, list[tuple[str, str]]], rfile: BinaryIO, conn: socket.socket, addr: tuple
    ) -> tuple[dict[str, Any] | None, _Body | None]:
        method, target, version, headers = head
        environ = dict(self._base)
        if target.startswith("//") or "#" in target:
            parts = urlsplit(target)
            path = f"/{parts.netloc}{parts.path}" if parts.netloc and not parts.scheme else parts.path
            query = parts.query
        else:
            path, _, query = target.partition("?")
        path = unquote(path)
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = path if path.isascii() else _dance(path)
        environ["QUERY_STRING"] = query if query.isascii() else _dance(query)
        environ["REQUEST_URI"] = environ["RAW_URI"] = target if target.isascii() else _dance(target)
        environ["REMOTE_ADDR"] = addr[0]
        environ["REMOTE_PORT"] = addr[1]
        environ["SERVER_PROTOCOL"] = version
        preserved: dict[str, str] = {}
        underscored = []
        for name, value in headers:
            if "_" in name:
                underscored.append((name, value))
                continue
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
                if key in environ:
                    value = f"{environ[key]},{value}"
            environ[key] = value
        # As MotoRequestHandler.make_environ: only x-amz-meta-* keep their underscores, never over a dashed name.
        for name, value in underscored:
            if not name.lower().startswith("x-amz-meta-"):
                continue
            key = name.upper().replace("-", "_")
            key = key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
            if key in environ and key not in preserved:
                continue
            preserved.setdefault(key, name)
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        environ[PRESERVED_HEADER_NAMES] = preserved
        if environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            conn.sendall(CONTINUE)
        body = None
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = _Body(DechunkedInput(rfile), None)
            environ["wsgi.input"] = body
            environ["wsgi.input_terminated"] = True
        elif "CONTENT_LENGTH" in environ:
            length = content_length(environ["CONTENT_LENGTH"])
            if length <= INLINE_BODY:
                data = rfile.read(length) if length else b""
                if len(data) != length:
                    return None, None
                environ["wsgi.input"] = io.BytesIO(data)
            else:
                body = _Body(rfile, length)
                environ["wsgi.input"] = body
        else:
            environ["wsgi.input"] = io.BytesIO(b"")
        return environ, body

    def _respond(self, conn: socket.socket, environ: dict[str, Any], body: _Body | None) -> bool:
        """Run the app and send its response; whether the connection can serve another request."""
        state = _Exchange()
        method = environ["REQUEST_METHOD"]
        keep_alive = _keep_alive(environ)
        try:
            result = self._app(environ, state.start_response)
        except Exception:
            log.exception("AWS endpoint failed on %s %s", method, environ.get("PATH_INFO"))
            return _error(conn, keep_alive and _drained(body))
        try:
            rest: Iterator[bytes] = iter(result) if state.written == [] else _chain(state.written, result)
            first, whole = _gather(rest)  # a generator app calls start_response on its first step
            if state.status is None:
                raise RuntimeError("the WSGI app returned without calling start_response")
            status, headers = state.status, state.headers
            code = int(status[:3])
            bodiless = method == "HEAD" or code < 200 or code in _NO_BODY_STATUSES
            has_length = any(k.lower() == "content-length" for k, _ in headers)
            keep_alive = keep_alive and _drained(body)
            chunked = False
            if whole and not has_length and not bodiless:
                headers = [*headers, ("Content-Length", str(len(first)))]
            elif not whole and not has_length and not bodiless:
                if environ["SERVER_PROTOCOL"] == "HTTP/1.0":
                    keep_alive = False  # the body ends when the connection does
                else:
                    chunked = True
                    headers = [*headers, ("Transfer-Encoding", "chunked")]
            out = _head_line(status, headers, keep_alive)
            state.sent = True
            if bodiless:
                conn.sendall(out)
                for _ in rest:
                    pass
                return keep_alive
            if len(first) < _SEND_TOGETHER and not chunked:
                conn.sendall(out + first)
            else:
                conn.sendall(out)
                if first:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(first), first) if chunked else first)
            if whole:
                return keep_alive
            for chunk in rest:
                if chunk:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                conn.sendall(b"0\r\n\r\n")
            return keep_alive
        except OSError:
            return False
        except Exception:
            log.exception("AWS endpoint failed while answering %s %s", method, environ.get("PATH_INFO"))
            return False if state.sent else _error(conn, False)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


class _Exchange:
    """One response's WSGI start_response state."""

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.written: list[bytes] = []
        self.sent = False

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        if exc_info and self.sent:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status, self.headers = status, headers
        return self.written.append


def _error(conn: socket.socket, keep_alive: bool) -> bool:
    message = b"Internal Server Error"
    conn.sendall(_head(500, [("Content-Type", "text/plain")], len(message), keep_alive) + message)
    return keep_alive


class _Body(io.RawIOBase):
    """A request body streamed from the socket: `length` bytes, or a de-chunked stream (length None)."""

    def __init__(self, stream: Any, length: int | None):
        self._stream = stream
        self._left = length
        self.exhausted = length == 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.exhausted:
            return 0
        view = memoryview(buffer)
        if self._left is not None:
            view = view[: self._left]
        count = self._stream.readinto(view)
        if not count:
            self.exhausted = True
            if self._left:
                raise OSError("request body ended early")
            return 0
        if self._left is not None:
            self._left -= count
            self.exhausted = self._left == 0
        return count

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            if self._left is None:
                return super().read(size)
            size = self._left
        if self.exhausted or size == 0:
            return b""
        if self._left is not None:
            size = min(size, self._left)
        data = self._stream.read(size)
        if self._left is not None:
            self._left -= len(data)
            if not data and self._left:
                raise OSError("request body ended early")
            self.exhausted = self._left == 0
        elif not data:
            self.exhausted = True
        return data

    def drain(self, limit: int) -> bool:
        """Read and drop what is left, up to `limit` bytes; whether the body is now fully read."""
        buffer = bytearray(65536)
        dropped = 0
        while not self.exhausted and dropped < limit:
            dropped += self.readinto(buffer)
        return self.exhausted


def _drained(body: _Body | None) -> bool:
    if body is None or body.exhausted:
        return True
    try:
        return body.drain(MAX_DRAIN)
    except (OSError, ValueError):
        return False


def _gather(chunks: Iterator[bytes]) -> tuple[bytes, bool]:
    """The body's first bytes (up to about `_SEND_TOGETHER`), and whether that is all of it: a small
    response goes out in one write however many pieces the app yields."""
    pieces: list[bytes] = []
    size = 0
    for chunk in chunks:
        pieces.append(chunk)
        size += len(chunk)
        if size >= _SEND_TOGETHER:
            return b"".join(pieces), False
    return b"".join(pieces), True


def _chain(first: list[bytes], rest: Iterable[bytes]) -> Iterator[bytes]:
    yield from first
    yield from rest


def _keep_alive(environ: dict[str, Any]) -> bool:
    connection = environ.get("HTTP_CONNECTION", "").lower()
    if environ["SERVER_PROTOCOL"] == "HTTP/1.0":
        return "keep-alive" in connection
    return "close" not in connection


def _dance(text: str) -> str:
    """WSGI's str-of-bytes form (werkzeug's `_wsgi_encoding_dance`)."""
    return text.encode("utf-8").decode("latin-1")


_date_cache: list[Any] = [0, ""]


def _date() -> str:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return _date_cache[1]


def _head_line(status: str, headers: list[tuple[str, str]], keep_alive: bool) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    dated = False
    for name, value in headers:
        if name.lower() == "date":
            dated = True
        lines.append(f"{name}: {value}")
    if not dated:
        lines.append(f"Date: {_date()}")
    return encode_head(lines, keep_alive)


def _head(status: int, headers: list[tuple[str, str]], length: int, keep_alive: bool) -> bytes:
    return _head_line(
        f"{status} {REASONS.get(status, 'Unknown')}", [*headers, ("Content-Length", str(length))], keep_alive
    )


def serve_wsgi(app: Callable, host: str = "127.0.0.1", port: int = 0) -> WsgiServer:
    """Start serving the WSGI `app` on a background thread; port 0 picks a free port."""
    return WsgiServer(app, host, port)
