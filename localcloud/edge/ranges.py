"""Range and conditional requests answered from a cached object, as CloudFront answers them.

"How CloudFront processes partial requests for an object (range GETs)": CloudFront follows RFC 7233 but
answers 200 with the whole object when the ranges are not in ascending order, overlap, or any range
specification is invalid. So one satisfiable range is a 206, several ascending disjoint ones a
multipart/byteranges 206, none satisfiable a 416 with `Content-Range: bytes */size`. Conditionals follow
RFC 9110 §13 (weak comparison for If-None-Match, which makes If-Modified-Since ignored; strong for
If-Range), since CloudFront documents no deviation from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from localcloud.edge.httpfields import parse_http_date, split_list
from localcloud.edge.model import Headers, header


@dataclass(frozen=True)
class Full:
    """Serve the whole object with 200 (no Range, a Range CloudFront ignores, or one it answers so)."""


@dataclass(frozen=True)
class Partial:
    start: int
    end: int  # inclusive
    size: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.end}/{self.size}"


@dataclass(frozen=True)
class Multipart:
    parts: tuple[Partial, ...]


@dataclass(frozen=True)
class Unsatisfiable:
    size: int

    @property
    def content_range(self) -> str:
        return f"bytes */{self.size}"


RangePlan = Full | Partial | Multipart | Unsatisfiable
_SPEC = re.compile(r"^(\d*)-(\d*)$")


def _resolve(spec: str, size: int) -> Partial | Literal[False] | None:
    """One byte-range spec: a Partial, None when unsatisfiable, False when malformed."""
    match = _SPEC.match(spec.strip())
    if not match or match.group(0) == "-":
        return False
    first, last = match.groups()
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return None
        return Partial(max(0, size - length), size - 1, size)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return False
    if start >= size:
        return None
    return Partial(start, min(end, size - 1), size)


def plan_range(range_header: str | None, size: int) -> RangePlan:
    """What to send for a `Range` header against an object of `size` bytes."""
    if not range_header:
        return Full()
    unit, sep, specs = range_header.strip().partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return Full()  # another unit: ignored (RFC 9110 §14.2)
    resolved = [_resolve(spec, size) for spec in specs.split(",")]
    if not resolved or any(part is False for part in resolved):
        return Full()
    parts = [part for part in resolved if isinstance(part, Partial)]
    for before, after in pairwise(parts):
        if after.start <= before.end:
            return Full()  # descending or overlapping
    if not parts:
        return Unsatisfiable(size)
    if len(parts) == 1:
        return parts[0]
    return Multipart(tuple(parts))


def multipart_body(
    plan: Multipart, read: Callable[[int, int], Iterable[bytes]], content_type: str | None, boundary: str
) -> tuple[str, Iterator[bytes]]:
    """The Content-Type and the body chunks of a multipart/byteranges 206 (RFC 9110 §14.6); `read(start,
    end)` gives the object's bytes start..end inclusive, so a large object is never loaded whole."""

    def chunks() -> Iterator[bytes]:
        for part in plan.parts:
            head = f"\r\n--{boundary}\r\n"
            if content_type:
                head += f"Content-Type: {content_type}\r\n"
            head += f"Content-Range: {part.content_range}\r\n\r\n"
            yield head.encode("latin-1")
            yield from read(part.start, part.end)
        yield f"\r\n--{boundary}--\r\n".encode("latin-1")

    return f"multipart/byteranges; boundary={boundary}", chunks()


def _opaque(tag: str) -> tuple[bool, str] | None:
    """(weak, opaque-tag) of an entity tag; None when it is not one."""
    tag = tag.strip()
    weak = tag.startswith("W/")
    body = tag[2:] if weak else tag
    if len(body) < 2 or body[0] != '"' or body[-1] != '"':
        return None
    return weak, body


def conditional(
    request_headers: Headers, etag: str | None, last_modified: str | None, *, method: str = "GET"
) -> Literal[304] | None:
    """304 when the viewer's validators match the cached object, else None (serve it).

    If-None-Match: `*` matches any stored object; otherwise any listed tag matching the ETag by weak
    comparison. When If-None-Match is present, If-Modified-Since is not looked at. If-Modified-Since: 304
    when the object's Last-Modified is not later than the given date; an unparsable date is ignored.
    Only GET and HEAD are answered 304.
    """
    if method.upper() not in ("GET", "HEAD"):
        return None
    if_none_match = header(request_headers, "if-none-match")
    if if_none_match is not None:
        tags = split_list(if_none_match)
        if "*" in tags:
            return 304
        current = _opaque(etag) if etag else None
        if current is None:
            return None
        for tag in tags:
            candidate = _opaque(tag)
            if candidate is not None and candidate[1] == current[1]:
                return 304
        return None
    since = parse_http_date(header(request_headers, "if-modified-since"))
    modified = parse_http_date(last_modified)
    if since is None or modified is None:
        return None
    return 304 if modified <= since else None


def if_range_allows(if_range: str | None, etag: str | None, last_modified: str | None) -> bool:
    """Whether the Range applies under `If-Range` (else the whole object is sent with 200).

    An entity tag must match strongly (neither side weak); a date must equal Last-Modified exactly.
    """
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        given, current = _opaque(value), _opaque(etag) if etag else None
        return given is not None and current is not None and not given[0] and not current[0] and given == current
    given_date, modified = parse_http_date(value), parse_http_date(last_modified)
    return given_date is not None and modified is not None and given_date == modified
