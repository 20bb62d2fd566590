"""Answering a viewer from a body the edge holds (a cache entry, a fill being written, or an uncached
origin response): conditional requests, ranges, HEAD, and the headers CloudFront adds to every answer.

A range is served from the cached object, never asked of the origin: on a miss the whole object is
fetched and the range is cut from it as it arrives ("How CloudFront processes partial requests for an
object (range GETs)"). Several ascending ranges give a multipart/byteranges 206.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator

from localcloud.edge.model import EdgeRequest, EdgeResponse, Headers, header, replaced, without
from localcloud.edge.ranges import (
    Multipart,
    Partial,
    Unsatisfiable,
    conditional,
    if_range_allows,
    multipart_body,
    plan_range,
)

POP = "LCL1-P1"  # the local "edge location", in CloudFront's airport-code style
Reader = Callable[[int, int | None], Iterable[bytes]]
_NOT_MODIFIED_KEEP = frozenset(
    {"cache-control", "content-location", "date", "etag", "expires", "last-modified", "vary"}
)  # fmt: skip
_EDGE_HEADERS = ("x-cache", "x-amz-cf-id", "x-amz-cf-pop", "age")


def edge_headers(headers: Headers, *, x_cache: str, request_id: str, via: str, age: int | None = None) -> Headers:
    """The origin's headers with CloudFront's own: X-Cache, Via, X-Amz-Cf-Pop, X-Amz-Cf-Id and, on hits, Age."""
    out = without(headers, *_EDGE_HEADERS)
    existing_via = header(out, "via")
    out = replaced(out, "Via", f"{existing_via}, {via}" if existing_via else via)
    out += [("X-Cache", x_cache), ("X-Amz-Cf-Pop", POP), ("X-Amz-Cf-Id", request_id)]
    if age is not None:
        out.append(("Age", str(age)))
    return out


def answer(request: EdgeRequest, status: int, headers: Headers, size: int | None, read: Reader) -> EdgeResponse:
    """The viewer's response for a held body of `size` bytes (None: not known until it has all arrived)."""
    method = request.method.upper()
    if status == 200:
        if conditional(request.headers, header(headers, "etag"), header(headers, "last-modified"), method=method):
            return EdgeResponse(304, [(k, v) for k, v in headers if k.lower() in _NOT_MODIFIED_KEEP], b"")
        ranged = request.header("range")
        validators = (request.header("if-range"), header(headers, "etag"), header(headers, "last-modified"))
        if ranged and method == "GET" and size is not None and if_range_allows(*validators):
            plan = plan_range(ranged, size)
            if isinstance(plan, Partial):
                out = replaced(without(headers, "content-length"), "Content-Range", plan.content_range)
                out.append(("Content-Length", str(plan.length)))
                return EdgeResponse(206, out, _lazy(read, plan.start, plan.end))
            if isinstance(plan, Unsatisfiable):
                out = [(k, v) for k, v in headers if k.lower() not in ("content-length", "content-type", "etag")]
                return EdgeResponse(416, [*out, ("Content-Range", plan.content_range), ("Content-Length", "0")])
            if isinstance(plan, Multipart):
                content_type, chunks = multipart_body(
                    plan,
                    lambda start, end: read(start, end),
                    header(headers, "content-type"),
                    secrets.token_hex(12),
                )
                out = replaced(without(headers, "content-length"), "Content-Type", content_type)
                return EdgeResponse(206, out, chunks)
    out = without(headers, "content-length") + ([("Content-Length", str(size))] if size is not None else [])
    if method == "HEAD":
        return EdgeResponse(status, out, b"")
    return EdgeResponse(status, out, _lazy(read, 0, None))


def _lazy(read: Reader, start: int, end: int | None) -> Iterator[bytes]:
    """The body is read only once the server sends it (a 304 or HEAD never opens the file)."""
    yield from read(start, end)
