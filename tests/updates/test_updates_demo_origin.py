"""The demo origin on its own: an ordinary file server (validators, ranges, conditionals) that counts."""

from __future__ import annotations

import os
import time

import pytest
import requests

from services.updates.demo.origin import DemoOrigin, plan_range, write_sample

SECRET = {"X-Origin-Verify": "s3cret"}
BODY = bytes(range(256)) * 4096  # 1 MiB


@pytest.fixture(scope="module")
def origin(tmp_path_factory):
    root = tmp_path_factory.mktemp("files")
    (root / "releases").mkdir()
    (root / "releases" / "app.bin").write_bytes(BODY)
    (root / "latest.json").write_text('{"version": "1.0.0"}\n')
    (tmp_path_factory.getbasetemp() / "outside.txt").write_text("not served")
    server = DemoOrigin(root, secret="s3cret").start()
    yield server
    server.close()


def get(origin: DemoOrigin, path: str, headers: dict | None = None, method: str = "GET") -> requests.Response:
    return requests.request(method, origin.url + path, headers={**SECRET, **(headers or {})}, timeout=10)


def stats(origin: DemoOrigin) -> dict:
    return requests.get(origin.url + "/_demo/stats", timeout=10).json()


def stats_once_sent(origin: DemoOrigin, at_least: int, timeout: float = 5.0) -> dict:
    """The counters once `bytesSent` reaches `at_least`: the server counts a chunk after the kernel took it,
    so a client that has read the whole body can ask before the last chunk is counted."""
    deadline = time.monotonic() + timeout
    while (snapshot := stats(origin))["bytesSent"] < at_least and time.monotonic() < deadline:
        time.sleep(0.02)
    return snapshot


def test_a_request_without_the_secret_is_refused_and_counted(origin):
    before = stats(origin)["refused"]
    response = requests.get(origin.url + "/latest.json", timeout=10)
    assert response.status_code == 403
    wrong = requests.get(origin.url + "/latest.json", headers={"X-Origin-Verify": "guess"}, timeout=10)
    assert wrong.status_code == 403
    assert stats(origin)["refused"] == before + 2


def test_a_file_is_served_whole_with_validators_and_counted(origin):
    before = stats(origin)
    response = get(origin, "/releases/app.bin")
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"]
    after = stats_once_sent(origin, before["bytesSent"] + len(BODY))
    assert after["bytesSent"] - before["bytesSent"] == len(BODY)
    assert after["byPath"]["/releases/app.bin"] == before["byPath"].get("/releases/app.bin", 0) + 1
    assert after["lastHeaders"]["/releases/app.bin"]["x-origin-verify"] == "s3cret"


def test_head_sends_no_body(origin):
    before = stats(origin)["bytesSent"]
    response = get(origin, "/releases/app.bin", method="HEAD")
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(BODY))
    assert stats(origin)["bytesSent"] == before


def test_ranges_are_answered_206_byte_for_byte(origin):
    response = get(origin, "/releases/app.bin", {"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(BODY)}"
    assert response.content == BODY[1000:2000]
    assert get(origin, "/releases/app.bin", {"Range": "bytes=-10"}).content == BODY[-10:]
    assert get(origin, "/releases/app.bin", {"Range": f"bytes={len(BODY) - 5}-"}).content == BODY[-5:]


def test_an_unsatisfiable_range_is_416_and_several_ranges_get_the_whole_file(origin):
    response = get(origin, "/releases/app.bin", {"Range": f"bytes={len(BODY)}-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(BODY)}"
    whole = get(origin, "/releases/app.bin", {"Range": "bytes=0-1,5-6"})
    assert whole.status_code == 200 and whole.content == BODY


def test_if_range_resumes_only_the_same_version(origin):
    etag = get(origin, "/releases/app.bin", method="HEAD").headers["ETag"]
    resumed = get(origin, "/releases/app.bin", {"Range": "bytes=500000-", "If-Range": etag})
    assert resumed.status_code == 206 and resumed.content == BODY[500000:]
    changed = get(origin, "/releases/app.bin", {"Range": "bytes=500000-", "If-Range": '"another-version"'})
    assert changed.status_code == 200 and changed.content == BODY


def test_conditional_requests_get_304(origin):
    head = get(origin, "/releases/app.bin", method="HEAD").headers
    assert get(origin, "/releases/app.bin", {"If-None-Match": head["ETag"]}).status_code == 304
    assert get(origin, "/releases/app.bin", {"If-Modified-Since": head["Last-Modified"]}).status_code == 304
    assert get(origin, "/releases/app.bin", {"If-None-Match": '"old"'}).status_code == 200


def test_paths_outside_the_root_and_folders_are_not_found(origin):
    assert get(origin, "/../outside.txt").status_code == 404
    assert get(origin, "/%2e%2e/outside.txt").status_code == 404
    assert get(origin, "/releases").status_code == 404
    assert get(origin, "/missing.bin").status_code == 404


def test_failure_injection_and_heal(origin):
    requests.post(origin.url + "/_demo/fail?path=/latest.json&status=503", timeout=10).raise_for_status()
    assert get(origin, "/latest.json").status_code == 503
    requests.post(origin.url + "/_demo/heal", timeout=10).raise_for_status()
    assert get(origin, "/latest.json").status_code == 200


def test_plan_range_cases():
    assert plan_range(None, 10) is None
    assert plan_range("bytes=2-4", 10) == (2, 4)
    assert plan_range("bytes=8-100", 10) == (8, 9)
    assert plan_range("bytes=-3", 10) == (7, 9)
    assert plan_range("bytes=10-", 10) == "unsatisfiable"
    assert plan_range("bytes=5-2", 10) is None
    assert plan_range("items=0-1", 10) is None


def test_the_sample_tree_has_a_manifest_releases_and_a_sparse_large_file(tmp_path):
    write_sample(tmp_path, large_mb=64)
    assert (tmp_path / "latest.json").is_file()
    large = tmp_path / "releases" / "1.1.0" / "app-1.1.0-full.img"
    assert large.stat().st_size == 64 * 1024 * 1024
    assert large.stat().st_blocks * 512 < large.stat().st_size  # sparse: no disk spent on the demo
    assert os.path.getsize(tmp_path / "releases" / "1.0.0" / "app-1.0.0.bin") == 4 * 1024 * 1024
