"""The shapes the edge's parts pass each other: a request as it travels from the viewer towards an
origin (functions may rewrite it on the way) and a response on its way back.

Header names keep the case they arrived in, and repeated headers stay separate entries, because
CloudFront Functions and Lambda@Edge both show functions every value of a header and its original
name. Lookups are case-insensitive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

Headers = list[tuple[str, str]]


def header(headers: Headers, name: str, default: str | None = None) -> str | None:
    """The first value of `name` (case-insensitive)."""
    lowered = name.lower()
    for key, value in headers:
        if key.lower() == lowered:
            return value
    return default


def header_values(headers: Headers, name: str) -> list[str]:
    lowered = name.lower()
    return [value for key, value in headers if key.lower() == lowered]


def without(headers: Headers, *names: str) -> Headers:
    drop = {n.lower() for n in names}
    return [(k, v) for k, v in headers if k.lower() not in drop]


def replaced(headers: Headers, name: str, value: str) -> Headers:
    """`headers` with every `name` removed and one `name: value` appended."""
    return [*without(headers, name), (name, value)]


@dataclass
class EdgeRequest:
    method: str
    uri: str  # the path, percent-encoded as received, no query string
    querystring: str  # raw, without "?"
    headers: Headers
    client_ip: str = "127.0.0.1"
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        return header(self.headers, name, default)


@dataclass
class EdgeResponse:
    status: int
    headers: Headers = field(default_factory=list)
    body: bytes | Iterable[bytes] = b""  # an iterable streams (see httpserver)

    def header(self, name: str, default: str | None = None) -> str | None:
        return header(self.headers, name, default)

    def chunks(self) -> Iterator[bytes]:
        if isinstance(self.body, (bytes, bytearray)):
            if self.body:
                yield bytes(self.body)
            return
        yield from self.body
