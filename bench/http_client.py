"""A keep-alive HTTP/1.1 client that times each request, as a warm SDK or browser would hit an API."""

from __future__ import annotations

import http.client
import socket
import time
from urllib.parse import urlsplit


class KeepAliveClient:
    """One persistent connection to one origin; reconnects (and counts it) only when the server closes."""

    def __init__(self, base_url: str, timeout: float = 30.0):
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise ValueError(f"only http:// URLs are supported, got {base_url!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.connects = 0
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self._conn.connect()
            self._conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.connects += 1
        return self._conn

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> tuple[int, bytes, float]:
        """(status, body, elapsed ms) for `prefix + path`; the time covers send to last body byte."""
        for attempt in (1, 2):
            conn = self._connection()
            start = time.perf_counter_ns()
            try:
                conn.request(method, self.prefix + path, body=body, headers=headers or {})
                response = conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise
                continue
            elapsed = (time.perf_counter_ns() - start) / 1e6
            if response.will_close:
                self.close()
            return response.status, data, elapsed
        raise AssertionError("unreachable")

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        return self.request("GET", path, headers)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
