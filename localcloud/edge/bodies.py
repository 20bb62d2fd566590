"""Bodies on their way to viewers: stored while they are served, followed by collapsed requests, served
from the cache, or passed through once when they may not be stored.

A fill is drained from the origin by a thread of its own, so neither a slow viewer nor one that leaves
early holds up or breaks the copy that every follower reads. Compression happens on the way into the
fill (the cache key already holds the viewer's normalised Accept-Encoding, so the copy is the one that
viewer gets).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import BinaryIO

from localcloud.edge import compression, ttl
from localcloud.edge.config import Behavior
from localcloud.edge.model import EdgeRequest, EdgeResponse, Headers, header, replaced, without
from localcloud.edge.origins import OriginError, OriginResponse
from localcloud.edge.policies import CachePolicy
from localcloud.edge.serving import answer
from localcloud.edge.store import CacheStore, Entry, Fill

log = logging.getLogger("localcloud.edge")


class Bodies:
    def __init__(self, store: CacheStore, clock: Callable[[], float], where: str):
        self.store = store
        self.clock = clock
        self.where = where  # the distribution's address, for log lines

    def fill(
        self,
        request: EdgeRequest,
        key: str,
        response: OriginResponse,
        seconds: float,
        *,
        behavior: Behavior,
        policy: CachePolicy,
        http_version: str,
    ) -> Fill:
        """Start storing the response under `key` for `seconds`."""
        headers, body = compressed(request, response, behavior=behavior, policy=policy, http_version=http_version)
        dropped = ttl.fields_not_to_store(response.headers)
        headers = [(k, v) for k, v in headers if k.lower() not in dropped and k.lower() != "set-cookie"]
        fill = self.store.begin(key, request.uri, response.status, headers, seconds)
        threading.Thread(target=self._drain, args=(fill, body, response), name="edge-fill", daemon=True).start()
        return fill

    def _drain(self, fill: Fill, body: Iterator[bytes], response: OriginResponse) -> None:
        writer = self.store.writer(fill)
        try:
            for chunk in body:
                writer.write(chunk)
        except Exception as exc:
            log.warning("%s: origin body for %s broke off: %s", self.where, fill.path, exc)
            writer.abort()
            return
        finally:
            response.close()
        writer.commit()

    def follow(self, request: EdgeRequest, key: str, fill: Fill | None) -> EdgeResponse:
        """Serve from `fill` while it is written, or from the entry it became."""
        joined = self.store.join(key) if fill is not None else None
        if joined is not None and joined[0] is fill:
            return self.from_fill(request, *joined)
        if joined is not None:
            joined[1].close()
        entry = self.store.get(key)
        if entry is None:  # stored and gone already (invalidated): the fill's body is lost to us
            raise OriginError(502, "the cached copy was invalidated while it was being written")
        return self.from_entry(request, entry)

    def from_fill(self, request: EdgeRequest, fill: Fill, handle: BinaryIO) -> EdgeResponse:
        length = header(fill.headers, "content-length")
        size = int(length) if length and length.isdigit() and not header(fill.headers, "content-encoding") else None
        if size is None and request.header("range"):
            handle.close()
            while not (fill.done or fill.failed):  # a range needs the size: wait for the whole object
                time.sleep(0.005)
            entry = self.store.get(fill.key)
            if entry is not None:
                return self.from_entry(request, entry)
            raise OriginError(502, f"the origin's body for {fill.path} broke off")
        response = answer(request, fill.status, fill.headers, size, lambda start, end: fill.follow(handle, start, end))
        if response.status in (304, 416) or request.method.upper() == "HEAD":
            handle.close()  # the body is never read
        return response

    def from_entry(self, request: EdgeRequest, entry: Entry) -> EdgeResponse:
        response = answer(request, entry.status, entry.headers, entry.size, entry.read)
        response.headers.append(("Age", str(entry.age(self.clock()))))
        return response


def uncached(request: EdgeRequest, response: OriginResponse) -> EdgeResponse:
    """Nothing is stored: the origin's answer goes to the viewer as it came (ranges and validators were
    the origin's to answer)."""

    def body() -> Iterator[bytes]:
        try:
            yield from response.body
        finally:
            response.close()

    return EdgeResponse(response.status, response.headers, b"" if request.method.upper() == "HEAD" else body())


def pass_through(request: EdgeRequest, response: OriginResponse) -> EdgeResponse:
    """A cacheable request whose response may not be stored: served once, ranges cut from the stream."""
    length = header(response.headers, "content-length")
    size = int(length) if length and length.isdigit() and not header(response.headers, "content-encoding") else None
    return answer(request, response.status, response.headers, size, _skipping(response))


def compressed(
    request: EdgeRequest, response: OriginResponse, *, behavior: Behavior, policy: CachePolicy, http_version: str
) -> tuple[Headers, Iterator[bytes]]:
    """The headers and body to store: compressed for this viewer when CloudFront would compress them."""
    length = header(response.headers, "content-length")
    encoding = compression.should_compress(
        request.header("accept-encoding"),
        response.headers,
        int(length) if length and length.isdigit() else None,
        behavior_compress=behavior.compress,
        policy=policy,
        status=response.status,
        http_version=http_version,
    )
    if encoding is None:
        return response.headers, response.body
    headers = replaced(without(response.headers, "content-length"), "Content-Encoding", encoding)
    etag = compression.compressed_etag(header(headers, "etag"))
    headers = replaced(headers, "ETag", etag) if etag else without(headers, "etag")
    vary = header(headers, "vary")
    headers = replaced(headers, "Vary", f"{vary}, Accept-Encoding" if vary else "Accept-Encoding")
    return headers, compression.compress_stream(response.body, encoding)


def _skipping(response: OriginResponse) -> Callable[[int, int | None], Iterator[bytes]]:
    """A reader over a body that arrives once: bytes before `start` are skipped, reading stops after `end`."""

    def read(start: int, end: int | None) -> Iterator[bytes]:
        position = 0
        try:
            for chunk in response.body:
                low, high = position, position + len(chunk)
                position = high
                if high <= start:
                    continue
                piece = chunk[max(0, start - low) : None if end is None else max(0, end + 1 - low)]
                if piece:
                    yield piece
                if end is not None and position > end:
                    return
        finally:
            response.close()

    return read
