"""A test origin for the edge: an HTTP server on loopback that counts what it is asked and can be told
to fail, slow down or stream large bodies it never holds in memory.

Paths (under any prefix, e.g. /legacy/...):
  <name>.txt        a small text body, `Cache-Control: max-age=60` (`maxageN` in the name: N), ETag, Last-Modified
  <name>.bin        1 MiB of deterministic bytes (byte i is i % 251), streamed in ~1 MiB writes, max-age=60;
                    `sizeN` in the name (or `?size=N`) makes it N bytes, GB-sized ones included
  error, notfound   500 and 404
  nocache           `Cache-Control: no-store`
Behaviour switches (POST /_origin/...): delay=<seconds> before answering, fail=<path> (answer 500), heal.
A request without the shared-secret header `X-Origin-Secret: s3cret` gets 403, as the demo origin would.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRET = ("X-Origin-Secret", "s3cret")
LAST_MODIFIED = "Tue, 01 Dec 2026 10:00:00 GMT"


def pattern(start: int, end: int) -> bytes:
    """Bytes start..end-1 of every generated body."""
    return bytes(i % 251 for i in range(start, end))


class TestOrigin:
    def __init__(self, *, require_secret: bool = True):
        self.counts: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}
        self.bytes_sent = 0
        self.delay = 0.0
        self.failing: set[str] = set()
        self.require_secret = require_secret
        self._lock = threading.Lock()
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                origin._serve(self, body=True)

            def do_HEAD(self) -> None:
                origin._serve(self, body=False)

            def do_POST(self) -> None:
                origin._control(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    def _control(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/_origin/delay":
            self.delay = float(query["seconds"])
        elif url.path == "/_origin/fail":
            self.failing.add(query["path"])
        elif url.path == "/_origin/heal":
            self.failing.clear()
            self.delay = 0.0
        handler.send_response(204)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    def _serve(self, handler: BaseHTTPRequestHandler, *, body: bool) -> None:
        url = urlsplit(handler.path)
        with self._lock:
            self.counts[url.path] += 1
            self.headers[url.path] = dict(handler.headers.items())
        if self.delay:
            time.sleep(self.delay)
        if self.require_secret and handler.headers.get(SECRET[0]) != SECRET[1]:
            return self._plain(handler, 403, b"no secret, no service", body)
        name = url.path.rsplit("/", 1)[-1]
        if url.path in self.failing or name == "error":
            return self._plain(handler, 500, b"origin broke", body)
        if name == "notfound":
            return self._plain(handler, 404, b"no such thing", body)
        if name == "nocache":
            return self._plain(handler, 200, b"fresh every time", body, cache="no-store")
        if name.endswith(".bin"):
            named = re.search(r"size(\d+)", name)
            size = int(named.group(1) if named else parse_qs(url.query).get("size", ["1048576"])[0])
            return self._stream(handler, size, body)
        text = f"hello from {url.path}\n".encode() * 3
        named = re.search(r"maxage(\d+)", name)  # the edge forwards no query string here: the name says it
        max_age = named.group(1) if named else "60"
        return self._plain(handler, 200, text, body, cache=f"max-age={max_age}")

    def _plain(self, handler, status: int, data: bytes, body: bool, cache: str | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("ETag", f'"{len(data)}-{status}"')
        handler.send_header("Last-Modified", LAST_MODIFIED)
        handler.send_header("X-Powered-By", "test-origin")
        if cache:
            handler.send_header("Cache-Control", cache)
        handler.end_headers()
        if body:
            handler.wfile.write(data)
            with self._lock:
                self.bytes_sent += len(data)

    def _stream(self, handler, size: int, body: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(size))
        handler.send_header("ETag", f'"bin-{size}"')
        handler.send_header("Last-Modified", LAST_MODIFIED)
        handler.send_header("Cache-Control", "max-age=60")
        handler.end_headers()
        if not body:
            return
        block = pattern(0, 251 * 4096)  # the pattern repeats every 251 bytes, so whole blocks line up
        sent = 0
        while sent < size:
            piece = block[: min(len(block), size - sent)]
            handler.wfile.write(piece)
            sent += len(piece)
        with self._lock:
            self.bytes_sent += sent
