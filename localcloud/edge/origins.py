"""Fetching from an origin, streamed: custom HTTP servers, this app's API Gateway, and S3 buckets.

A custom origin is a real HTTP server reached over the network, with the origin's custom headers,
protocol policy, connection attempts and timeouts. API Gateway and S3 origins are this app's own, so
they are called in process (the gateway's handler; the AWS front's WSGI app, which enforces the
bucket policy against the edge's identity). Errors follow CloudFront: an origin that refuses the
connection or breaks the exchange gives 502; one that does not connect or answer in time gives 504.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from localcloud.edge.config import Origin
from localcloud.edge.model import EdgeRequest, Headers
from localcloud.edge.store import CHUNK
from localcloud.wsgi import call_wsgi

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
     "upgrade"}
)  # fmt: skip


class OriginError(Exception):
    """The origin could not be used: `status` is what CloudFront answers (502 or 504)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class OriginResponse:
    status: int
    headers: Headers
    body: Iterator[bytes]
    close: Callable[[], None] = field(default=lambda: None)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


def fetch_custom(origin: Origin, request: EdgeRequest, *, viewer_https: bool) -> OriginResponse:
    """One request to a custom origin, retried on connection failure as CloudFront retries."""
    https = origin.protocol_policy == "https-only" or (origin.protocol_policy == "match-viewer" and viewer_https)
    port = origin.https_port if https else origin.http_port
    target = request.uri + (f"?{request.querystring}" if request.querystring else "")
    last: OriginError | None = None
    for _ in range(max(1, origin.connection_attempts)):
        connection = _connection(origin.domain, port, https, origin.connect_timeout)
        try:
            connection.connect()
        except TimeoutError:
            last = OriginError(504, f"origin {origin.id} ({origin.domain}:{port}) did not accept a connection in time")
            connection.close()
            continue
        except (OSError, ssl.SSLError) as exc:
            last = OriginError(502, f"origin {origin.id} ({origin.domain}:{port}) refused the connection: {exc}")
            connection.close()
            continue
        return _exchange(connection, origin, request, target)
    assert last is not None
    raise last


def _connection(host: str, port: int, https: bool, timeout: float) -> http.client.HTTPConnection:
    if https:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
    return http.client.HTTPConnection(host, port, timeout=timeout)


def _exchange(
    connection: http.client.HTTPConnection, origin: Origin, request: EdgeRequest, target: str
) -> OriginResponse:
    assert connection.sock is not None
    connection.sock.settimeout(origin.read_timeout)
    try:
        connection.putrequest(request.method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in request.headers:
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                connection.putheader(name, value)
        if request.body or request.method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body or None)
        response = connection.getresponse()
    except TimeoutError:
        connection.close()
        raise OriginError(504, f"origin {origin.id} did not answer within {origin.read_timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise OriginError(502, f"origin {origin.id} broke the exchange: {type(exc).__name__}: {exc}") from None
    headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
    empty = request.method == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200

    def body() -> Iterator[bytes]:
        try:
            while not empty:
                chunk = response.read(CHUNK)
                if not chunk:
                    return
                yield chunk
        except TimeoutError:
            raise OriginError(504, f"origin {origin.id} stopped sending within {origin.read_timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            raise OriginError(502, f"origin {origin.id} broke off its body: {exc}") from None
        finally:
            connection.close()

    return OriginResponse(response.status, headers, body(), connection.close)


def in_process(status: int, headers: Headers, body: bytes) -> OriginResponse:
    """A response an in-process origin (the gateway, the AWS front) produced whole."""
    headers = [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP]
    return OriginResponse(status, headers, iter([body] if body else []))


def wsgi_call(app: Callable, environ: dict[str, Any]) -> OriginResponse:
    """Call a WSGI app in process and take its answer as an origin response."""
    status, headers, body = call_wsgi(app, environ)
    return in_process(int(status.split(" ", 1)[0]), headers, body)
