"""Range plans checked byte for byte against a 100-byte object, and the conditional-request rules."""

from __future__ import annotations

import pytest

from localcloud.edge.httpfields import format_http_date
from localcloud.edge.ranges import (
    Full,
    Multipart,
    Partial,
    Unsatisfiable,
    conditional,
    if_range_allows,
    multipart_body,
    plan_range,
)

BODY = bytes(range(100))
SIZE = len(BODY)
MODIFIED = format_http_date(1_600_000_000)
LATER = format_http_date(1_600_000_060)
EARLIER = format_http_date(1_599_999_940)

SINGLE = [
    ("first ten bytes", "bytes=0-9", 0, 9),
    ("one byte", "bytes=5-5", 5, 5),
    ("end past the object is clamped", "bytes=90-500", 90, 99),
    ("open range", "bytes=95-", 95, 99),
    ("suffix", "bytes=-3", 97, 99),
    ("suffix longer than the object", "bytes=-500", 0, 99),
    ("unit is case-insensitive, spaces allowed", "Bytes= 10-19 ", 10, 19),
    ("last byte", "bytes=99-99", 99, 99),
    ("an unsatisfiable range beside a good one is dropped", "bytes=0-1,200-300", 0, 1),
]


@pytest.mark.parametrize(("spec", "start", "end"), [pytest.param(*c[1:], id=c[0]) for c in SINGLE])
def test_single_range_is_a_206(spec, start, end):
    plan = plan_range(spec, SIZE)
    assert plan == Partial(start, end, SIZE)
    assert BODY[plan.start : plan.end + 1] == bytes(range(start, end + 1))
    assert plan.length == end - start + 1
    assert plan.content_range == f"bytes {start}-{end}/100"


FULL = [
    ("no header", None),
    ("empty header", ""),
    ("another unit", "items=0-9"),
    ("no equals sign", "bytes 0-9"),
    ("descending ranges", "bytes=50-59,0-9"),
    ("overlapping ranges", "bytes=0-50,40-60"),
    ("a suffix overlapping a range", "bytes=90-95,-8"),
    ("a range whose end precedes its start", "bytes=9-0"),
    ("a negative value", "bytes=--5"),
    ("a lone dash", "bytes=-"),
    ("garbage", "bytes=abc"),
    ("one invalid spec spoils the set", "bytes=0-9,x-y"),
    ("empty spec", "bytes="),
]


@pytest.mark.parametrize("spec", [pytest.param(c[1], id=c[0]) for c in FULL])
def test_ranges_cloudfront_answers_with_the_whole_object(spec):
    assert plan_range(spec, SIZE) == Full()


UNSATISFIABLE = [
    ("starts past the end", "bytes=100-"),
    ("starts far past the end", "bytes=500-600"),
    ("zero-length suffix", "bytes=-0"),
    ("every range past the end", "bytes=100-110,200-"),
]


@pytest.mark.parametrize("spec", [pytest.param(c[1], id=c[0]) for c in UNSATISFIABLE])
def test_unsatisfiable_ranges_are_a_416(spec):
    plan = plan_range(spec, SIZE)
    assert plan == Unsatisfiable(SIZE)
    assert plan.content_range == "bytes */100"


def test_any_range_of_an_empty_object_is_unsatisfiable():
    assert plan_range("bytes=0-", 0) == Unsatisfiable(0)
    assert plan_range("bytes=-5", 0) == Unsatisfiable(0)


def test_ascending_disjoint_ranges_are_a_multipart_206():
    plan = plan_range("bytes=0-1, 10-11,-2", SIZE)
    assert plan == Multipart((Partial(0, 1, SIZE), Partial(10, 11, SIZE), Partial(98, 99, SIZE)))
    content_type, chunks = multipart_body(plan, lambda a, b: [BODY[a : b + 1]], "application/octet-stream", "XYZ")
    assert content_type == "multipart/byteranges; boundary=XYZ"
    expected = (
        b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/100\r\n\r\n\x00\x01"
        b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 10-11/100\r\n\r\n\x0a\x0b"
        b"\r\n--XYZ\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 98-99/100\r\n\r\n\x62\x63"
        b"\r\n--XYZ--\r\n"
    )
    assert b"".join(chunks) == expected


def test_adjacent_ranges_do_not_overlap():
    assert plan_range("bytes=0-9,10-19", SIZE) == Multipart((Partial(0, 9, SIZE), Partial(10, 19, SIZE)))


CONDITIONAL = [
    ("matching strong tag", [("If-None-Match", '"v1"')], '"v1"', None, 304),
    ("weak comparison: weak request tag", [("If-None-Match", 'W/"v1"')], '"v1"', None, 304),
    ("weak comparison: weak stored tag", [("If-None-Match", '"v1"')], 'W/"v1"', None, 304),
    ("a list, one matches", [("If-None-Match", '"a", "v1" , "b"')], '"v1"', None, 304),
    ("a tag holding a comma", [("If-None-Match", '"a,b"')], '"a,b"', None, 304),
    ("no match", [("If-None-Match", '"v2"')], '"v1"', None, None),
    ("star matches any stored object", [("If-None-Match", "*")], '"v1"', None, 304),
    ("star matches without an ETag", [("If-None-Match", "*")], None, None, 304),
    ("a tag without a stored ETag", [("If-None-Match", '"v1"')], None, MODIFIED, None),
    ("unquoted tags never match", [("If-None-Match", "v1")], "v1", None, None),
    ("If-None-Match present: If-Modified-Since ignored",
     [("If-None-Match", '"v2"'), ("If-Modified-Since", LATER)], '"v1"', MODIFIED, None),
    ("If-None-Match match with a stale If-Modified-Since",
     [("If-None-Match", '"v1"'), ("If-Modified-Since", EARLIER)], '"v1"', MODIFIED, 304),
    ("not modified since a later date", [("If-Modified-Since", LATER)], '"v1"', MODIFIED, 304),
    ("not modified since the same date", [("If-Modified-Since", MODIFIED)], None, MODIFIED, 304),
    ("modified since an earlier date", [("If-Modified-Since", EARLIER)], None, MODIFIED, None),
    ("an unparsable date is ignored", [("If-Modified-Since", "yesterday")], None, MODIFIED, None),
    ("no Last-Modified to compare", [("If-Modified-Since", LATER)], '"v1"', None, None),
    ("no conditional header", [], '"v1"', MODIFIED, None),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "etag", "last_modified", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in CONDITIONAL])  # fmt: skip
def test_conditional(headers, etag, last_modified, expected):
    assert conditional(headers, etag, last_modified) == expected


def test_only_get_and_head_are_answered_304():
    assert conditional([("If-None-Match", "*")], '"v1"', None, method="HEAD") == 304
    assert conditional([("If-None-Match", "*")], '"v1"', None, method="POST") is None


IF_RANGE = [
    ("no If-Range", None, '"v1"', MODIFIED, True),
    ("strong match", '"v1"', '"v1"', MODIFIED, True),
    ("different tag", '"v2"', '"v1"', MODIFIED, False),
    ("weak request tag never matches", 'W/"v1"', '"v1"', MODIFIED, False),
    ("weak stored tag never matches", '"v1"', 'W/"v1"', MODIFIED, False),
    ("no stored tag", '"v1"', None, MODIFIED, False),
    ("exact date", MODIFIED, '"v1"', MODIFIED, True),
    ("a later date is not exact", LATER, '"v1"', MODIFIED, False),
    ("no stored date", MODIFIED, '"v1"', None, False),
    ("an unparsable date", "soon", '"v1"', MODIFIED, False),
]


@pytest.mark.parametrize(("if_range", "etag", "last_modified", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in IF_RANGE])  # fmt: skip
def test_if_range_allows(if_range, etag, last_modified, expected):
    assert if_range_allows(if_range, etag, last_modified) is expected
