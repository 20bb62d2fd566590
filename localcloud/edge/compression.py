"""Edge compression: whether CloudFront compresses an origin response, with which coding, and how.

Every rule is from "Serve compressed files": the behaviour's Compress setting and the cache policy's
Gzip/Brotli settings, TTLs above zero, an Accept-Encoding the policy does not list as an ordinary header,
not HTTP/1.0, status 200, 403 or 404, no Content-Encoding from the origin, a Content-Length between
1,000 and 10,000,000 bytes, a Content-Type on CloudFront's list, Brotli preferred when both are accepted,
and a strong ETag made weak on the compressed copy. Brotli comes from the `Brotli` package, imported on
first use so that importing the edge stays cheap.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Literal

from localcloud.edge.httpfields import media_type
from localcloud.edge.model import EdgeRequest, Headers, header
from localcloud.edge.policies import CachePolicy
from localcloud.edge.viewer import compression_keyed, normalised_accept_encoding

Encoding = Literal["br", "gzip"]
MIN_SIZE = 1_000
MAX_SIZE = 10_000_000
COMPRESSED_STATUSES = frozenset({200, 403, 404})
# "File types that CloudFront compresses".
COMPRESSIBLE_TYPES = frozenset(
    {
        "application/dash+xml", "application/eot", "application/font", "application/font-sfnt",
        "application/javascript", "application/json", "application/opentype", "application/otf",
        "application/pkcs7-mime", "application/protobuf", "application/rss+xml", "application/truetype",
        "application/ttf", "application/vnd.apple.mpegurl", "application/vnd.mapbox-vector-tile",
        "application/vnd.ms-fontobject", "application/xhtml+xml", "application/xml",
        "application/x-font-opentype", "application/x-font-truetype", "application/x-font-ttf",
        "application/x-httpd-cgi", "application/x-javascript", "application/x-mpegurl", "application/x-opentype",
        "application/x-otf", "application/x-perl", "application/x-ttf", "font/eot", "font/opentype", "font/otf",
        "font/ttf", "image/svg+xml", "text/css", "text/csv", "text/html", "text/javascript", "text/js",
        "text/plain", "text/richtext", "text/tab-separated-values", "text/xml", "text/x-component",
        "text/x-java-source", "text/x-script", "vnd.apple.mpegurl",
    }
)  # fmt: skip


def should_compress(
    viewer_accept_encoding: str | None,
    response_headers: Headers,
    size: int | None,
    *,
    behavior_compress: bool,
    policy: CachePolicy,
    status: int = 200,
    http_version: str = "1.1",
) -> Encoding | None:
    """The coding CloudFront compresses this response with, or None to pass it on as it came.

    `size` is the origin's Content-Length (None when it sent none, which rules compression out).
    """
    if not behavior_compress or policy.caching_disabled or not compression_keyed(policy):
        return None
    if status not in COMPRESSED_STATUSES or header(response_headers, "content-encoding") is not None:
        return None  # any Content-Encoding, whatever its value, means the origin already encoded it
    if size is None or not MIN_SIZE <= size <= MAX_SIZE:
        return None
    if media_type(header(response_headers, "content-type")) not in COMPRESSIBLE_TYPES:
        return None
    viewer = EdgeRequest(
        "GET", "/", "", [("Accept-Encoding", viewer_accept_encoding)] if viewer_accept_encoding else []
    )
    accepted = normalised_accept_encoding(viewer, policy, http_version=http_version) or ""
    codings = accepted.split(",")
    if "br" in codings:
        return "br"
    if "gzip" in codings:
        return "gzip"
    return None


def compressed_etag(etag: str | None) -> str | None:
    """The ETag of the compressed copy: a strong tag gains `W/`, a weak one is kept, anything else is
    dropped ("ETag header conversion")."""
    if etag is None:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        return value
    if value.startswith('"'):
        return "W/" + value
    return None


def compress(body: bytes, encoding: Encoding) -> bytes:
    """`body` compressed; gzip with mtime 0 so the same bytes always compress the same."""
    if encoding == "gzip":
        return gzip.compress(body, mtime=0)
    if encoding == "br":
        import brotli  # imported on first use: most responses are never compressed

        return brotli.compress(body)
    raise ValueError(f"unknown encoding {encoding!r}")


def _engine(encoding: Encoding) -> tuple[Callable[[bytes], bytes], Callable[[], bytes]]:
    if encoding == "gzip":
        # wbits 31 writes a gzip header; its mtime field is 0 and the OS byte 255 ("unknown").
        deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
        return deflate.compress, deflate.flush
    if encoding == "br":
        import brotli

        compressor = brotli.Compressor()
        return compressor.process, compressor.finish
    raise ValueError(f"unknown encoding {encoding!r}")


def compress_stream(chunks: Iterable[bytes], encoding: Encoding) -> Iterator[bytes]:
    """`compress` over a stream, so a large body never sits in memory whole."""
    step, finish = _engine(encoding)
    for chunk in chunks:
        out = step(chunk)
        if out:
            yield out
    yield finish()
