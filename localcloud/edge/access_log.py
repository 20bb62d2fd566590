"""CloudFront standard logging (legacy), written to the distribution's log bucket.

A distribution with `Logging: {Bucket: <bucket>.s3.amazonaws.com, Prefix, IncludeCookies}` gets one line
per viewer request in the documented W3C format ("Standard logging (legacy)" > "Standard log file
fields": the 33 fields below, tab-separated, `-` for none, after `#Version` and `#Fields` lines), in
gzip objects named `<Prefix><distribution id>.YYYY-MM-DD-HH.<unique id>.gz`. CloudFront delivers "up to
several times an hour"; here every `interval` seconds and at stop, so a demo sees its logs at once.

Locally, `sc-bytes` counts the body and the header block as the edge sent them, the TLS fields are `-`
(the local edge is plain HTTP), and `c-port` is not known (`-`).
"""

from __future__ import annotations

import gzip
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

from localcloud.edge.model import EdgeRequest, EdgeResponse, header
from localcloud.edge.serving import POP

log = logging.getLogger("localcloud.edge")

FIELDS = (
    "date",
    "time",
    "x-edge-location",
    "sc-bytes",
    "c-ip",
    "cs-method",
    "cs(Host)",
    "cs-uri-stem",
    "sc-status",
    "cs(Referer)",
    "cs(User-Agent)",
    "cs-uri-query",
    "cs(Cookie)",
    "x-edge-result-type",
    "x-edge-request-id",
    "x-host-header",
    "cs-protocol",
    "cs-bytes",
    "time-taken",
    "x-forwarded-for",
    "ssl-protocol",
    "ssl-cipher",
    "x-edge-response-result-type",
    "cs-protocol-version",
    "fle-status",
    "fle-encrypted-fields",
    "c-port",
    "time-to-first-byte",
    "x-edge-detailed-result-type",
    "sc-content-type",
    "sc-content-len",
    "sc-range-start",
    "sc-range-end",
)
_RESULTS = {
    "Hit": "Hit",
    "RefreshHit": "RefreshHit",
    "Miss": "Miss",
    "Error": "Error",
    "FunctionGeneratedResponse": "FunctionGeneratedResponse",
    "LambdaGeneratedResponse": "Miss",
}


@dataclass(frozen=True)
class LoggingConfig:
    bucket: str  # the bucket's name (the template gives its domain, <name>.s3.amazonaws.com)
    prefix: str = ""
    include_cookies: bool = False


def logging_config(raw: dict | None) -> LoggingConfig | None:
    """The `DistributionConfig.Logging` of a template, or None when the distribution does not log."""
    if not raw or not raw.get("Bucket"):
        return None
    bucket = str(raw["Bucket"]).lower().rstrip(".").split(".s3", 1)[0]
    include = raw.get("IncludeCookies", False)
    return LoggingConfig(bucket, str(raw.get("Prefix") or ""), include is True or str(include).lower() == "true")


def _field(value: str | None) -> str:
    """A value as CloudFront writes it: URL-encoded where it could break the line, `-` when empty."""
    if value is None or value == "":
        return "-"
    return quote(value, safe="/:;,=&?!*'()@$+~.-_[]")


def result_type(x_cache: str | None, status: int) -> str:
    kind = (x_cache or "").split(" ", 1)[0]
    if status in (301, 302) and kind == "Error":
        return "Redirect"
    return _RESULTS.get(kind, "Error" if status >= 400 else "Miss")


class AccessLog:
    """The lines of one distribution, buffered and delivered in batches by `write(bucket, key, body)`."""

    def __init__(
        self,
        config: LoggingConfig,
        distribution_id: str,
        write: Callable[[str, str, bytes], None],
        *,
        host: str,
        clock: Callable[[], float] = time.time,
    ):
        self.config = config
        self.distribution_id = distribution_id
        self.host = host  # the distribution's domain, cs(Host)
        self.write = write
        self.clock = clock
        self.delivered = 0  # objects written, for the tests and the console
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def served(self, request: EdgeRequest, response: EdgeResponse, started: float) -> EdgeResponse:
        """The response with its body counted as it goes out; the line is written when it has gone
        (or the viewer left)."""
        head = sum(len(k) + len(v) + 4 for k, v in response.headers) + 17

        def counted(chunks: Iterable[bytes]) -> Iterator[bytes]:
            sent = 0
            first: float | None = None
            try:
                for chunk in chunks:
                    first = first if first is not None else self.clock()
                    sent += len(chunk)
                    yield chunk
            finally:
                self.record(request, response, started, head + sent, first)

        if isinstance(response.body, (bytes, bytearray)):
            self.record(request, response, started, head + len(response.body), self.clock())
            return response
        response.body = counted(response.body)
        return response

    def record(
        self, request: EdgeRequest, response: EdgeResponse, started: float, sc_bytes: int, first_byte: float | None
    ) -> None:
        now = self.clock()
        stamp = time.gmtime(started)
        x_cache = header(response.headers, "x-cache")
        result = result_type(x_cache, response.status)
        content_range = header(response.headers, "content-range") or ""
        range_start = range_end = None
        if content_range.startswith("bytes ") and "-" in content_range:
            span = content_range[6:].split("/", 1)[0]
            range_start, range_end = span.split("-", 1) if "-" in span else (None, None)
        forwarded = request.header("x-forwarded-for")
        cookie = request.header("cookie") if self.config.include_cookies else None
        values = [
            time.strftime("%Y-%m-%d", stamp),
            time.strftime("%H:%M:%S", stamp),
            POP,
            str(sc_bytes),
            request.client_ip,
            request.method.upper(),
            self.host,
            request.uri,
            str(response.status),
            _field(request.header("referer")),
            _field(request.header("user-agent")),
            _field(request.querystring),
            _field(cookie),
            result,
            _field(header(response.headers, "x-amz-cf-id")),
            _field((request.header("host") or self.host).split(":", 1)[0]),
            "http",
            str(len(request.body) + sum(len(k) + len(v) + 4 for k, v in request.headers)),
            f"{now - started:.3f}",
            _field(forwarded),
            "-",
            "-",
            result,
            "HTTP/1.1",
            "-",
            "-",
            "-",
            f"{(first_byte or now) - started:.3f}",
            result,
            _field(header(response.headers, "content-type")),
            _field(header(response.headers, "content-length")),
            _field(range_start),
            _field(range_end),
        ]
        with self._lock:
            self._lines.append("\t".join(values))

    def flush(self) -> int:
        """Deliver what is buffered as one log file; how many lines it held."""
        with self._lock:
            lines, self._lines = self._lines, []
        if not lines:
            return 0
        hour = time.strftime("%Y-%m-%d-%H", time.gmtime(self.clock()))
        key = f"{self.config.prefix}{self.distribution_id}.{hour}.{secrets.token_hex(4)}.gz"
        text = "#Version: 1.0\n#Fields: " + " ".join(FIELDS) + "\n" + "\n".join(lines) + "\n"
        try:
            self.write(self.config.bucket, key, gzip.compress(text.encode()))
        except Exception as exc:
            log.warning("standard log for %s not delivered to s3://%s/%s: %s", self.distribution_id,
                        self.config.bucket, key, exc)  # fmt: skip
            return 0
        self.delivered += 1
        return len(lines)


class Deliveries:
    """Flushes every distribution's log every `interval` seconds on one thread, and once more at stop."""

    def __init__(self, interval: float = 2.0):
        self.interval = interval
        self.logs: list[AccessLog] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, access_log: AccessLog) -> None:
        self.logs.append(access_log)
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="edge-logs", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    def flush(self) -> None:
        for access_log in self.logs:
            access_log.flush()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.flush()
