"""Reserved concurrency end to end: with one reserved execution, a second request while the first runs is
throttled by Lambda, which the API answers with 429; once the first finishes the function serves again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "reserved_concurrency" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "reserved-concurrency")


def test_the_second_concurrent_request_is_throttled(cloud):
    url = cloud.api_url("Api") + "/slow"
    start = threading.Barrier(2)
    responses: list[requests.Response] = []

    def call() -> None:
        start.wait()
        responses.append(requests.get(url, timeout=30))

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in responses) == [200, 429]
    throttled = next(r for r in responses if r.status_code == 429)
    assert throttled.json() == {"message": "Too Many Requests"}

    after = requests.get(url, timeout=30)
    assert after.status_code == 200
