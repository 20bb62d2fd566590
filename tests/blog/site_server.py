"""A tiny HTTP server over a rendered site, standing in for the distribution in the site's browser tests:
pretty URLs (`/posts/a` → `posts/a/index.html`), 404.html for what is missing, each object's own
Content-Type and Cache-Control, the pages' CSP, placeholder cover images under /media/, and the two API
calls the pages make (the view beacon → 202, the subscribe form → 303 back home), recorded."""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from blog.site import CONTENT_SECURITY_POLICY, Page


def png(width: int, height: int) -> bytes:
    """A solid-colour PNG of that size (browsers sniff image bytes, so it stands in for WebP and JPEG)."""
    row = b"\x00" + bytes((0x2B, 0x4C, 0x7E)) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


class SiteServer:
    def __init__(self, pages: list[Page]) -> None:
        self.pages = {page.path: page for page in pages}
        self.posts: list[tuple[str, str, bytes]] = []  # (path, content type, body) of every POST
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def key(self, path: str) -> str:
        key = unquote(path).lstrip("/")
        if not key or key.endswith("/"):
            return key + "index.html"
        return key if key in self.pages else key + "/index.html"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                if path.startswith("/media/"):
                    width = int(path.rsplit("/", 1)[-1].split(".")[0])
                    return self._send(200, png(width, width * 9 // 16), "image/png", "public, max-age=31536000")
                page = site.pages.get(site.key(path))
                if page is None:
                    page = site.pages["404.html"]
                    return self._send(404, page.body, page.content_type, page.cache_control)
                self._send(200, page.body, page.content_type, page.cache_control)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                site.posts.append((self.path, self.headers.get("Content-Type", ""), body))
                if self.path.startswith("/api/posts/") and self.path.endswith("/views"):
                    return self._send(202, b"", "text/plain", "no-store")
                if self.path == "/api/subscribers":
                    self.send_response(303)
                    self.send_header("Location", "/")
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                self._send(404, b"", "text/plain", "no-store")

            def _send(self, status: int, body: bytes, content_type: str, cache_control: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Cache-Control", cache_control)
                self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@contextmanager
def serving(pages: list[Page]) -> Iterator[SiteServer]:
    site = SiteServer(pages)
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.server.shutdown()
        site.server.server_close()
