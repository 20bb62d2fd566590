"""Standard logging: one W3C line per viewer request, delivered as gzip files into the log bucket."""

from __future__ import annotations

import gzip
import time

import pytest

from localcloud.edge.access_log import FIELDS, AccessLog, Deliveries, logging_config, result_type
from localcloud.edge.model import EdgeRequest, EdgeResponse

NOW = 1_800_000_000.0  # 2027-01-15 08:00:00 UTC


class Bucket:
    def __init__(self):
        self.objects: dict[tuple[str, str], bytes] = {}

    def put(self, bucket: str, key: str, body: bytes) -> None:
        self.objects[(bucket, key)] = body

    def lines(self) -> list[dict[str, str]]:
        out = []
        for body in self.objects.values():
            text = gzip.decompress(body).decode().splitlines()
            assert text[0] == "#Version: 1.0" and text[1] == "#Fields: " + " ".join(FIELDS)
            out += [dict(zip(FIELDS, line.split("\t"), strict=True)) for line in text[2:]]
        return out


def access_log(bucket: Bucket, **config) -> AccessLog:
    raw = {"Bucket": "logs-123.s3.amazonaws.com", "Prefix": "cdn/", **config}
    return AccessLog(logging_config(raw), "E2ABC", bucket.put, host="d111.cloudfront.net", clock=lambda: NOW)


def request(**headers: str) -> EdgeRequest:
    return EdgeRequest("GET", "/releases/1.0/app.bin", "arch=x64", list(headers.items()), "10.0.0.7")


def response(status: int = 200, x_cache: str = "Hit from cloudfront", body=b"hello", **extra: str) -> EdgeResponse:
    headers = [("X-Cache", x_cache), ("X-Amz-Cf-Id", "abc=="), ("Content-Type", "application/octet-stream"),
               *extra.items()]  # fmt: skip
    return EdgeResponse(status, headers, body)


def test_logging_config_reads_the_bucket_name_from_its_domain():
    config = logging_config({"Bucket": "my-logs.s3.amazonaws.com", "Prefix": "p/", "IncludeCookies": "true"})
    assert (config.bucket, config.prefix, config.include_cookies) == ("my-logs", "p/", True)
    assert logging_config(None) is None and logging_config({}) is None


def test_a_streamed_response_is_logged_once_its_body_has_gone():
    bucket = Bucket()
    log = access_log(bucket)
    served = log.served(request(**{"User-Agent": "updater 2.1", "Cookie": "s=1"}), response(body=iter([b"ab", b"cd"])),
                        NOW - 0.25)  # fmt: skip
    assert log.flush() == 0  # nothing sent yet, nothing logged
    assert b"".join(served.chunks()) == b"abcd"
    assert log.flush() == 1
    ((where, key),) = bucket.objects
    assert where == "logs-123" and key.startswith("cdn/E2ABC.2027-01-15-08.") and key.endswith(".gz")
    (line,) = bucket.lines()
    assert (line["date"], line["time"]) == ("2027-01-15", "07:59:59")
    assert line["c-ip"] == "10.0.0.7" and line["cs-method"] == "GET" and line["cs(Host)"] == "d111.cloudfront.net"
    assert line["cs-uri-stem"] == "/releases/1.0/app.bin" and line["cs-uri-query"] == "arch=x64"
    assert line["sc-status"] == "200" and line["x-edge-result-type"] == "Hit"
    assert line["cs(User-Agent)"] == "updater%202.1"  # spaces are encoded, so the fields stay apart
    assert line["cs(Cookie)"] == "-"  # IncludeCookies is false
    assert line["x-edge-request-id"] == "abc==" and line["time-taken"] == "0.250"
    assert int(line["sc-bytes"]) > 4


def test_cookies_and_ranges_when_present():
    bucket = Bucket()
    log = access_log(bucket, IncludeCookies=True)
    partial = response(206, "Miss from cloudfront", b"x" * 10, **{"Content-Range": "bytes 100-109/5000"})
    log.served(request(Cookie="beta=1"), partial, NOW)
    log.flush()
    (line,) = bucket.lines()
    assert line["cs(Cookie)"] == "beta=1" and line["x-edge-result-type"] == "Miss"
    assert (line["sc-range-start"], line["sc-range-end"]) == ("100", "109")


@pytest.mark.parametrize(
    ("x_cache", "status", "expected"),
    [
        ("Hit from cloudfront", 200, "Hit"),
        ("RefreshHit from cloudfront", 200, "RefreshHit"),
        ("Miss from cloudfront", 200, "Miss"),
        ("Error from cloudfront", 503, "Error"),
        ("Error from cloudfront", 301, "Redirect"),
        ("FunctionGeneratedResponse from cloudfront", 302, "FunctionGeneratedResponse"),
    ],
)
def test_result_types(x_cache, status, expected):
    assert result_type(x_cache, status) == expected


def test_a_failed_delivery_is_reported_and_does_not_break_serving(caplog):
    def refuse(bucket, key, body):
        raise RuntimeError("NoSuchBucket")

    log = AccessLog(logging_config({"Bucket": "gone.s3.amazonaws.com"}), "E1", refuse, host="d.cloudfront.net")
    log.served(request(), response(), NOW)
    assert log.flush() == 0
    assert "not delivered to s3://gone/" in caplog.text


def test_deliveries_flush_on_their_interval_and_at_stop():
    bucket = Bucket()
    log = access_log(bucket)
    deliveries = Deliveries(interval=0.05)
    deliveries.add(log)
    log.served(request(), response(), NOW)
    deadline = time.monotonic() + 5
    while not bucket.objects and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(bucket.objects) == 1
    log.served(request(), response(), NOW)
    deliveries.stop()
    assert len(bucket.lines()) == 2
