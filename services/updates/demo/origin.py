"""The demo origin: a plain HTTP server standing in for the application that distributes updates today.

It serves a folder of versioned files as an ordinary web server does (ETag, Last-Modified, Range with
206/416, If-Range, If-None-Match/If-Modified-Since with 304, HEAD) and counts what it is asked and the
body bytes it sends, so a demo or a test can see how much the CDN took off it. Bodies go out with
`socket.sendfile` in bounded chunks: a file is never read whole into memory.

It knows nothing of CloudFront. With `--secret` it refuses (403) every request that lacks the shared
secret header, as an ALB listener rule would, so only the distribution reaches it.

Its own paths, never sent through the CDN: `GET /_demo/stats` (the counters as JSON), `POST
/_demo/reset`, and, for tests of the CDN's error handling, `POST /_demo/fail?path=/x&status=500`,
`POST /_demo/delay?seconds=0.5` (a slow origin) and `POST /_demo/heal`. They are answered without the
secret, on loopback only.

Run: python services/updates/demo/origin.py --root DIR [--port 4600] [--secret S] [--sample]
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import hashlib
import json
import mimetypes
import os
import re
import signal
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

CHUNK = 256 * 1024
DEFAULT_SECRET_HEADER = "X-Origin-Verify"  # noqa: S105 - a header name, not a secret
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Counters:
    """What the origin served, under one lock (handler threads update it concurrently)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.refused = 0
            self.bytes_sent = 0
            self.by_path: Counter[str] = Counter()
            self.by_status: Counter[int] = Counter()
            self.last_headers: dict[str, dict[str, str]] = {}
            self.last_targets: dict[str, str] = {}

    def record(self, path: str, status: int, headers: dict[str, str], target: str = "") -> None:
        with self._lock:
            self.requests += 1
            self.by_path[path] += 1
            self.by_status[status] += 1
            self.refused += status == 403
            self.last_headers[path] = headers
            self.last_targets[path] = target or path

    def sent(self, count: int) -> None:
        with self._lock:
            self.bytes_sent += count

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": self.requests,
                "refused": self.refused,
                "bytesSent": self.bytes_sent,
                "byPath": dict(self.by_path),
                "byStatus": {str(k): v for k, v in self.by_status.items()},
                "lastHeaders": dict(self.last_headers),
                "lastTargets": dict(self.last_targets),
            }


class DemoOrigin:
    """The server, startable in a thread (tests, the bench) or as a process (`make dev`)."""

    def __init__(
        self,
        root: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        secret: str = "",
        secret_header: str = DEFAULT_SECRET_HEADER,
    ):
        self.root = Path(root).resolve()
        self.secret = secret
        self.secret_header = secret_header
        self.counters = Counters()
        self.failing: dict[str, int] = {}
        self.delay = 0.0
        self.server = ThreadingHTTPServer((host, port), _handler(self))
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        self.port = self.server.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> DemoOrigin:
        self._thread = threading.Thread(target=self.server.serve_forever, name="demo-origin", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def file_for(self, path: str) -> Path | None:
        """The file a URL path names under the root; None outside it or for a folder."""
        candidate = (self.root / unquote(path).lstrip("/")).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            return None
        return candidate if candidate.is_file() else None


def etag_of(stat: os.stat_result) -> str:
    """A strong validator that changes whenever the file does (size and mtime, as nginx builds it)."""
    return '"' + hashlib.sha256(f"{stat.st_size}-{stat.st_mtime_ns}".encode()).hexdigest()[:20] + '"'


def plan_range(value: str | None, size: int) -> tuple[int, int] | str | None:
    """One byte range (start, end inclusive); "unsatisfiable"; or None to send the whole file (no Range,
    several ranges, or one that is malformed: a server may ignore Range, RFC 9110 §14.2)."""
    match = _RANGE.match((value or "").strip())
    if not match or match.group(0) == "bytes=-":
        return None
    first, last = match.groups()
    if not first:
        length = int(last)
        return (max(0, size - length), size - 1) if length and size else "unsatisfiable"
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, min(int(last) if last else size - 1, size - 1)


def _handler(origin: DemoOrigin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "DemoUpdates/1.0"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._serve(body=True)

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            if not url.path.startswith("/_demo/") or not self._loopback():
                self._plain(405, "method not allowed\n")
                return
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path == "/_demo/reset":
                origin.counters.reset()
            elif url.path == "/_demo/fail":
                origin.failing[query.get("path", "/")] = int(query.get("status", "500"))
            elif url.path == "/_demo/heal":
                origin.failing.clear()
                origin.delay = 0.0
            elif url.path == "/_demo/delay":
                origin.delay = float(query.get("seconds", "0"))
            else:
                self._plain(404, "no such control\n")
                return
            self._plain(200, "ok\n")

        # ---------------------------------------------------------------------------------------

        def _loopback(self) -> bool:
            return self.client_address[0] in ("127.0.0.1", "::1")

        def _serve(self, *, body: bool) -> None:
            path = urlsplit(self.path).path
            if path == "/_demo/stats" and self._loopback():
                self._plain(200, json.dumps(origin.counters.snapshot()), "application/json")
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            if origin.delay:
                time.sleep(origin.delay)
            if origin.secret and headers.get(origin.secret_header.lower()) != origin.secret:
                origin.counters.record(path, 403, headers, self.path)
                self._plain(403, "forbidden: this origin answers its CDN only\n", body=body)
                return
            if path in origin.failing:
                status = origin.failing[path]
                origin.counters.record(path, status, headers, self.path)
                self._plain(status, "the origin is failing\n", body=body)
                return
            file = origin.file_for(path)
            if file is None:
                origin.counters.record(path, 404, headers, self.path)
                self._plain(404, "not found\n", body=body)
                return
            self._file(path, file, headers, body=body)

        def _file(self, path: str, file: Path, headers: dict[str, str], *, body: bool) -> None:
            with open(file, "rb") as handle:
                stat = os.fstat(handle.fileno())
                etag = etag_of(stat)
                modified = email.utils.formatdate(int(stat.st_mtime), usegmt=True)
                size = stat.st_size
                if _not_modified(headers, etag, int(stat.st_mtime)):
                    origin.counters.record(path, 304, headers, self.path)
                    self.send_response(304)
                    self._validators(etag, modified)
                    self.end_headers()
                    return
                span = plan_range(headers.get("range"), size) if _if_range(headers, etag, modified) else None
                if span == "unsatisfiable":
                    origin.counters.record(path, 416, headers, self.path)
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                start, end = span if isinstance(span, tuple) else (0, size - 1)
                status = 206 if isinstance(span, tuple) else 200
                origin.counters.record(path, status, headers, self.path)
                self.send_response(status)
                self.send_header("Content-Type", mimetypes.guess_type(file.name)[0] or "application/octet-stream")
                self.send_header("Content-Length", str(end - start + 1))
                self.send_header("Accept-Ranges", "bytes")
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self._validators(etag, modified)
                self.end_headers()
                if body and end >= start:
                    self._send(handle, start, end - start + 1)

        def _send(self, handle, offset: int, count: int) -> None:
            """The file's bytes, kernel to socket in bounded chunks, counted as they go."""
            self.wfile.flush()
            while count > 0:
                try:
                    sent = self.connection.sendfile(handle, offset, min(CHUNK, count))
                except OSError:
                    self.close_connection = True
                    return  # the client went away
                if not sent:
                    return
                origin.counters.sent(sent)
                offset += sent
                count -= sent

        def _validators(self, etag: str, modified: str) -> None:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)

        def _plain(self, status: int, text: str, content_type: str = "text/plain", *, body: bool = True) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)

    return Handler


def _not_modified(headers: dict[str, str], etag: str, mtime: int) -> bool:
    """RFC 9110 §13.1.2/13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since."""
    if "if-none-match" in headers:
        tags = [t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if not since:
        return False
    try:
        return mtime <= email.utils.parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False


def _if_range(headers: dict[str, str], etag: str, modified: str) -> bool:
    """Whether a Range applies: no If-Range, or one naming the current version (strong comparison)."""
    value = headers.get("if-range")
    if value is None:
        return True
    return value.strip() in (etag, modified)


def write_sample(root: Path, *, large_mb: int = 512) -> None:
    """A small release tree to try the CDN on: a manifest, two versioned releases and one large
    (sparse) file, written only where missing."""
    releases = {"1.0.0": 4, "1.1.0": 16}
    for version, mib in releases.items():
        target = root / "releases" / version / f"app-{version}.bin"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                for index in range(mib):
                    out.write(hashlib.sha256(f"{version}/{index}".encode()).digest() * (1024 * 1024 // 32))
    large = root / "releases" / "1.1.0" / "app-1.1.0-full.img"
    if not large.exists():
        with open(large, "wb") as out:
            out.truncate(large_mb * 1024 * 1024)
    manifest = root / "latest.json"
    if not manifest.exists():
        latest = max(releases)
        manifest.write_text(json.dumps({"version": latest, "url": f"/releases/{latest}/app-{latest}.bin"}) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="the folder of update files to serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4600)
    parser.add_argument("--secret", default=os.environ.get("DEMO_ORIGIN_SECRET", ""))
    parser.add_argument("--secret-header", default=DEFAULT_SECRET_HEADER)
    parser.add_argument("--sample", action="store_true", help="write a sample release tree into --root first")
    args = parser.parse_args(argv)
    root = Path(args.root)
    root.mkdir(parents=True, exist_ok=True)
    if args.sample:
        write_sample(root)
    origin = DemoOrigin(root, host=args.host, port=args.port, secret=args.secret, secret_header=args.secret_header)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=origin.server.shutdown).start())
    guarded = f", refusing requests without {args.secret_header}" if args.secret else ""
    print(f"demo update origin: {origin.url}/ serving {origin.root}{guarded}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        origin.server.serve_forever()
    origin.server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
