"""When CloudFront compresses a response ("Serve compressed files"), and that the bytes round-trip."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import brotli
import pytest

from localcloud.edge.compression import compress, compress_stream, compressed_etag, should_compress
from localcloud.edge.managed import lookup_cache_policy
from localcloud.edge.policies import CachePolicy, ParamConfig

OPTIMIZED = lookup_cache_policy("658327ea-f89d-4fab-a63d-7e88639e58f6")
UNCOMPRESSED = lookup_cache_policy("b2884449-e4de-46a7-ac36-70bc7f1ddd6d")
DISABLED = lookup_cache_policy("4135ea2d-6df8-44a3-9df3-4b5a84be39ad")
ORIGIN_HEADERS = lookup_cache_policy("83da9c7e-98b4-4e11-a168-04f0df8e2c65")
GZIP_ONLY = CachePolicy("gzip", gzip=True)
BR_ONLY = CachePolicy("br", brotli=True)
LISTS_ACCEPT_ENCODING = CachePolicy(
    "ae", gzip=True, brotli=True, headers=ParamConfig("whitelist", ("Accept-Encoding",))
)
HTML = [("Content-Type", "text/html; charset=utf-8")]

CASES = [
    ("both accepted: Brotli preferred", "gzip, deflate, br", HTML, 5_000, {}, "br"),
    ("gzip only", "gzip", HTML, 5_000, {}, "gzip"),
    ("br only", "br", HTML, 5_000, {}, "br"),
    ("q=0 refuses br", "gzip, br;q=0", HTML, 5_000, {}, "gzip"),
    ("neither accepted", "deflate", HTML, 5_000, {}, None),
    ("no Accept-Encoding", None, HTML, 5_000, {}, None),
    ("the policy enables gzip alone", "gzip, br", HTML, 5_000, {"policy": GZIP_ONLY}, "gzip"),
    ("the policy enables br alone, viewer wants gzip", "gzip", HTML, 5_000, {"policy": BR_ONLY}, None),
    ("the policy caches no compressed objects", "gzip, br", HTML, 5_000, {"policy": UNCOMPRESSED}, None),
    ("TTLs of zero: no compression", "gzip, br", HTML, 5_000, {"policy": DISABLED}, None),
    ("MinTTL and DefaultTTL 0 still compress", "gzip, br", HTML, 5_000, {"policy": ORIGIN_HEADERS}, "br"),
    ("Accept-Encoding listed in the cache key", "gzip, br", HTML, 5_000, {"policy": LISTS_ACCEPT_ENCODING}, None),
    ("the behaviour does not compress", "gzip, br", HTML, 5_000, {"behavior_compress": False}, None),
    ("HTTP/1.0 viewer", "gzip, br", HTML, 5_000, {"http_version": "1.0"}, None),
    ("smallest size", "gzip", HTML, 1_000, {}, "gzip"),
    ("below 1,000 bytes", "gzip", HTML, 999, {}, None),
    ("largest size", "gzip", HTML, 10_000_000, {}, "gzip"),
    ("above 10,000,000 bytes", "gzip", HTML, 10_000_001, {}, None),
    ("no Content-Length", "gzip", HTML, None, {}, None),
    ("already encoded", "gzip", [*HTML, ("Content-Encoding", "gzip")], 5_000, {}, None),
    ("any Content-Encoding counts", "gzip", [*HTML, ("Content-Encoding", "identity")], 5_000, {}, None),
    ("403 is compressed", "gzip", HTML, 5_000, {"status": 403}, "gzip"),
    ("404 is compressed", "gzip", HTML, 5_000, {"status": 404}, "gzip"),
    ("206 is not", "gzip", HTML, 5_000, {"status": 206}, None),
    ("500 is not", "gzip", HTML, 5_000, {"status": 500}, None),
    ("JSON", "gzip", [("Content-Type", "application/json")], 5_000, {}, "gzip"),
    ("SVG", "gzip", [("content-type", "IMAGE/SVG+XML")], 5_000, {}, "gzip"),
    ("a font", "gzip", [("Content-Type", "font/ttf")], 5_000, {}, "gzip"),
    ("JPEG is not on the list", "gzip", [("Content-Type", "image/jpeg")], 5_000, {}, None),
    ("WOFF2 is not on the list", "gzip", [("Content-Type", "font/woff2")], 5_000, {}, None),
    ("no Content-Type", "gzip", [], 5_000, {}, None),
]


@pytest.mark.parametrize(("accept", "headers", "size", "kwargs", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])  # fmt: skip
def test_should_compress(accept, headers, size, kwargs, expected):
    options = {"behavior_compress": True, "policy": OPTIMIZED, **kwargs}
    assert should_compress(accept, headers, size, **options) == expected


@pytest.mark.parametrize(
    ("etag", "expected"),
    [('"abc"', 'W/"abc"'), ('W/"abc"', 'W/"abc"'), ("abc", None), (None, None)],
)
def test_compressed_copies_carry_a_weak_etag(etag, expected):
    assert compressed_etag(etag) == expected


BODY = b"<html>" + b"CloudFront compresses this page. " * 200 + b"</html>"


def test_gzip_round_trips_and_is_deterministic():
    packed = compress(BODY, "gzip")
    assert gzip.decompress(packed) == BODY
    assert packed == compress(BODY, "gzip") and len(packed) < len(BODY) // 10


def test_brotli_round_trips():
    assert brotli.decompress(compress(BODY, "br")) == BODY


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_streaming_compression_matches_the_whole_body(encoding):
    chunks = [BODY[i : i + 777] for i in range(0, len(BODY), 777)]
    packed = b"".join(compress_stream(chunks, encoding))
    unpack = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert unpack(packed) == BODY


def test_unknown_encoding():
    with pytest.raises(ValueError, match="unknown encoding"):
        compress(BODY, "zstd")  # type: ignore[arg-type]


def test_importing_the_edge_does_not_load_brotli():
    code = "import sys, localcloud.edge.compression, localcloud.edge.cachekey; print('brotli' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False"
