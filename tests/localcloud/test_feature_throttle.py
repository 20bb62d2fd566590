"""Method throttling end to end: a stage allowing 1 request/s with a burst of 2 answers a quick burst with
two 200s, then 429s with API Gateway's JSON message, and serves again once the bucket refills."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "throttle" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "throttle")


def test_a_burst_past_the_limit_is_throttled_with_429(cloud):
    cloud.invoke("Hello", {})  # warm the worker so the burst is not spread out by a cold start
    url = cloud.api_url("Api") + "/hello"
    with requests.Session() as http:
        burst = [http.get(url, timeout=30) for _ in range(6)]
    statuses = [r.status_code for r in burst]
    assert statuses[:2] == [200, 200], statuses
    assert burst[0].json() == {"hello": "world"}
    throttled = [r for r in burst if r.status_code == 429]
    assert len(throttled) >= 3, statuses
    assert all(r.json() == {"message": "Too Many Requests"} for r in throttled)
    assert all(r.headers["x-amzn-ErrorType"] == "TooManyRequestsException" for r in throttled)


def test_the_method_serves_again_once_the_bucket_refills(cloud):
    url = cloud.api_url("Api") + "/hello"
    deadline = time.monotonic() + 5
    while (status := requests.get(url, timeout=30).status_code) == 429 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200
