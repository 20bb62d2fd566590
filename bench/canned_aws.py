"""A canned-reply AWS endpoint: the floor under bench/aws_endpoint.py's figures.

It runs on the endpoint's own serving stack (`localcloud.front.server`). The first request of each
operation is forwarded to `--upstream` (a real localcloud) and its response recorded; every later request
of that operation gets the recording back, byte for byte, without any AWS logic. What a client then
measures is boto3 plus HTTP plus the server, and nothing else. Operations are keyed by X-Amz-Target,
by the query protocol's Action, or by method and path for S3.

    python bench/canned_aws.py --upstream http://127.0.0.1:4566   # prints its URL, serves until killed
"""

from __future__ import annotations

import argparse
import http.client
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from localcloud.front.server import serve_wsgi

_HOP = {"connection", "transfer-encoding", "keep-alive", "date"}


class Canned:
    """WSGI app: record one response per operation from upstream, then replay it."""

    def __init__(self, upstream: str):
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname, parts.port
        self.recorded: dict[str, tuple[str, list[tuple[str, str]], bytes]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        key = self._operation(environ, body)
        reply = self.recorded.get(key)
        if reply is None:
            with self._lock:
                reply = self.recorded.get(key) or self._record(environ, body)
                self.recorded[key] = reply
        status, headers, data = reply
        start_response(status, headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [data]

    @staticmethod
    def _operation(environ, body: bytes) -> str:
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            return target
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            action = parse_qs(body.decode()).get("Action", [""])[0]
            if action:
                return action
        return f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"

    def _record(self, environ, body: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(name):
                headers[name.replace("_", "-").title()] = environ[name]
        headers.pop("Expect", None)
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            target = environ["PATH_INFO"] + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
            conn.request(environ["REQUEST_METHOD"], environ.get("RAW_URI") or target, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
            return f"{response.status} {response.reason}", kept, data
        finally:
            conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="the real endpoint to record from")
    args = parser.parse_args()
    server = serve_wsgi(Canned(args.upstream))
    print(server.url, flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
