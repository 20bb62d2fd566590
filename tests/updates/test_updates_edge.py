"""The updates distribution on the local edge, in front of the demo origin, driven over HTTP.

Each test uses its own paths: the edge's cache lives as long as the module's localcloud.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.updates.conftest import ERROR_TTL, MANIFEST_TTL, ORIGIN_PATH, SECRET, pattern

pytestmark = pytest.mark.localcloud

MIB = 1024 * 1024


def test_repeated_downloads_reach_the_origin_once(updates):
    body = updates.put("/releases/1.0.0/app-1.0.0.bin", pattern(3 * MIB, "hit"))
    first = updates.get("/releases/1.0.0/app-1.0.0.bin")
    assert first.status_code == 200 and first.content == body
    assert first.headers["X-Cache"] == "Miss from cloudfront"
    updates.wait_cached("/releases/1.0.0/app-1.0.0.bin")
    for _ in range(5):
        again = updates.get("/releases/1.0.0/app-1.0.0.bin")
        assert again.content == body and again.headers["X-Cache"] == "Hit from cloudfront"
    assert updates.origin_count("/releases/1.0.0/app-1.0.0.bin") == 1


def test_concurrent_first_downloads_make_one_origin_fetch(updates):
    body = updates.put("/releases/2.0.0/app-2.0.0.bin", pattern(2 * MIB, "collapse"))
    updates.control("delay", seconds="0.5")  # every request arrives while the first is still at the origin
    try:
        with ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(lambda _: updates.get("/releases/2.0.0/app-2.0.0.bin"), range(16)))
    finally:
        updates.control("delay", seconds="0")
    assert all(r.status_code == 200 and r.content == body for r in responses)
    assert updates.origin_count("/releases/2.0.0/app-2.0.0.bin") == 1
    assert sum(r.headers["X-Cache"].startswith("Miss") for r in responses) > 1  # collapsed, not merely cached


def test_the_secret_header_reaches_the_origin_which_refuses_requests_without_it(updates):
    updates.put("/releases/secret/app.bin", b"guarded")
    assert updates.get("/releases/secret/app.bin").content == b"guarded"
    assert updates.origin_stats()["lastHeaders"][f"{ORIGIN_PATH}/releases/secret/app.bin"]["x-origin-verify"] == SECRET
    bypass = requests.get(f"{updates.origin.url}{ORIGIN_PATH}/releases/secret/app.bin", timeout=10)
    assert bypass.status_code == 403


def test_query_strings_and_cookies_do_not_fragment_the_cache(updates):
    body = updates.put("/releases/3.0.0/app.bin", pattern(64 * 1024, "query"))
    for query, cookie in (("", None), ("token=1", None), ("token=2&arch=x64", "session=a"), ("", "session=b")):
        headers = {"Cookie": cookie} if cookie else {}
        assert updates.get(f"/releases/3.0.0/app.bin?{query}", headers=headers).content == body
    assert updates.origin_count("/releases/3.0.0/app.bin") == 1
    # and neither is sent on: the origin was asked for the bare path, without the viewer's cookie
    assert updates.origin_stats()["lastTargets"][f"{ORIGIN_PATH}/releases/3.0.0/app.bin"] == (
        f"{ORIGIN_PATH}/releases/3.0.0/app.bin"
    )
    assert "cookie" not in updates.origin_stats()["lastHeaders"][f"{ORIGIN_PATH}/releases/3.0.0/app.bin"]


def test_a_manifest_expires_on_its_short_ttl_while_update_files_stay(updates):
    updates.put("/channels/stable/latest.json", b'{"version": "1.0.0"}')
    updates.put("/releases/4.0.0/app.bin", b"four")
    assert updates.get("/channels/stable/latest.json").json() == {"version": "1.0.0"}
    assert updates.get("/releases/4.0.0/app.bin").content == b"four"
    updates.put("/channels/stable/latest.json", b'{"version": "1.1.0"}')  # a release: the manifest changes
    assert updates.get("/channels/stable/latest.json").json() == {"version": "1.0.0"}  # still within its TTL
    time.sleep(MANIFEST_TTL + 0.3)
    refreshed = updates.get("/channels/stable/latest.json")
    assert refreshed.json() == {"version": "1.1.0"}
    assert updates.origin_count("/channels/stable/latest.json") == 2
    assert updates.get("/releases/4.0.0/app.bin").headers["X-Cache"] == "Hit from cloudfront"
    assert updates.origin_count("/releases/4.0.0/app.bin") == 1


def test_an_origin_5xx_is_cached_only_for_the_error_ttl(updates):
    updates.put("/releases/5.0.0/app.bin", b"five")
    updates.control("fail", path=f"{ORIGIN_PATH}/releases/5.0.0/app.bin", status="503")
    try:
        assert updates.get("/releases/5.0.0/app.bin").status_code == 503
        assert updates.get("/releases/5.0.0/app.bin").status_code == 503  # the cached error
        assert updates.origin_count("/releases/5.0.0/app.bin") == 1
    finally:
        updates.control("heal")
    time.sleep(ERROR_TTL + 0.3)
    healed = updates.get("/releases/5.0.0/app.bin")
    assert healed.status_code == 200 and healed.content == b"five"
    assert updates.origin_count("/releases/5.0.0/app.bin") == 2


def test_an_expired_manifest_is_served_stale_while_the_origin_fails(updates):
    updates.put("/channels/beta/latest.json", b'{"version": "2.0.0-beta"}')
    assert updates.get("/channels/beta/latest.json").status_code == 200
    time.sleep(MANIFEST_TTL + 0.3)
    updates.control("fail", path=f"{ORIGIN_PATH}/channels/beta/latest.json", status="500")
    try:
        stale = updates.get("/channels/beta/latest.json")
    finally:
        updates.control("heal")
    assert stale.status_code == 200 and stale.json() == {"version": "2.0.0-beta"}
    assert updates.origin_count("/channels/beta/latest.json") == 2  # it was asked, and failed


def test_a_range_is_correct_byte_for_byte_on_a_miss_and_on_a_hit(updates):
    body = updates.put("/releases/6.0.0/app.bin", pattern(5 * MIB, "range"))
    miss = updates.get("/releases/6.0.0/app.bin", headers={"Range": "bytes=1048570-2097160"})
    assert miss.status_code == 206
    assert miss.headers["Content-Range"] == f"bytes 1048570-2097160/{len(body)}"
    assert miss.content == body[1048570:2097161]
    updates.wait_cached("/releases/6.0.0/app.bin")
    hit = updates.get("/releases/6.0.0/app.bin", headers={"Range": "bytes=-1000"})
    assert hit.status_code == 206 and hit.content == body[-1000:]
    assert hit.headers["X-Cache"] == "Hit from cloudfront"
    beyond = updates.get("/releases/6.0.0/app.bin", headers={"Range": f"bytes={len(body)}-"})
    assert beyond.status_code == 416
    assert updates.origin_count("/releases/6.0.0/app.bin") == 1


def test_a_download_resumes_with_if_range_and_restarts_for_another_version(updates):
    body = updates.put("/releases/7.0.0/app.bin", pattern(3 * MIB, "resume"))
    with updates.get("/releases/7.0.0/app.bin", stream=True) as interrupted:
        etag = interrupted.headers["ETag"]
        received = b""
        for chunk in interrupted.iter_content(64 * 1024):
            received += chunk
            if len(received) >= MIB:
                break  # the connection drops mid-download
    rest = updates.get("/releases/7.0.0/app.bin", headers={"Range": f"bytes={len(received)}-", "If-Range": etag})
    assert rest.status_code == 206
    assert received + rest.content == body
    restarted = updates.get("/releases/7.0.0/app.bin", headers={"Range": "bytes=100-", "If-Range": '"1.0-old"'})
    assert restarted.status_code == 200 and restarted.content == body
    assert updates.origin_count("/releases/7.0.0/app.bin") == 1


def test_a_conditional_request_from_a_client_is_answered_at_the_edge(updates):
    updates.put("/releases/8.0.0/app.bin", b"eight")
    etag = updates.get("/releases/8.0.0/app.bin").headers["ETag"]
    assert updates.get("/releases/8.0.0/app.bin", headers={"If-None-Match": etag}).status_code == 304
    assert updates.origin_count("/releases/8.0.0/app.bin") == 1


def test_a_large_file_streams_through_whole_and_is_then_a_hit(updates):
    """A 300 MiB sparse file (no disk spent at the origin); the edge's memory is measured in bench/."""
    size = 300 * MIB
    path = updates.files / "releases" / "9.0.0" / "full.img"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    expected = hashlib.sha256(bytes(size)).hexdigest()
    for x_cache in ("Miss from cloudfront", "Hit from cloudfront"):
        digest, received = hashlib.sha256(), 0
        with updates.get("/releases/9.0.0/full.img", stream=True) as response:
            assert response.headers["X-Cache"] == x_cache
            assert response.headers["Content-Length"] == str(size)
            for chunk in response.iter_content(MIB):
                digest.update(chunk)
                received += len(chunk)
        assert received == size and digest.hexdigest() == expected
        updates.wait_cached("/releases/9.0.0/full.img")
    assert updates.origin_count("/releases/9.0.0/full.img") == 1
    assert updates.origin_stats()["bytesSent"] >= size


def test_security_headers_and_no_origin_banner(updates):
    updates.put("/releases/10.0.0/app.bin", b"ten")
    response = updates.get("/releases/10.0.0/app.bin")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "DemoUpdates" not in response.headers.get("Server", "")


def test_plain_http_viewers_are_redirected_to_https(updates):
    plain = {"X-Forwarded-Proto": "http"}  # how the local edge is told the viewer used plain HTTP
    response = updates.get("/releases/1.0.0/app-1.0.0.bin", headers=plain, allow_redirects=False)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


def test_standard_logs_reach_the_log_bucket(updates):
    updates.put("/releases/11.0.0/app.bin", b"eleven")
    updates.get("/releases/11.0.0/app.bin?from=test", headers={"User-Agent": "updater/11"})
    updates.wait_cached("/releases/11.0.0/app.bin")  # the fill completes just after the viewer's last byte
    updates.get("/releases/11.0.0/app.bin?from=test", headers={"User-Agent": "updater/11"})
    s3 = updates.cloud.aws("s3")
    bucket = updates.cloud.endpoints["outputs"]["Root"]["LogBucketName"]
    prefix = "cloudfront/"  # then <app>-<env>-updates/
    deadline = time.monotonic() + 15
    lines: list[list[str]] = []
    while time.monotonic() < deadline and len(lines) < 2:
        time.sleep(0.2)
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
        text = [gzip.decompress(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).decode() for key in keys]
        lines = [row.split("\t") for t in text for row in t.splitlines() if "/releases/11.0.0/app.bin" in row]
    assert [row[13] for row in lines] == ["Miss", "Hit"]  # x-edge-result-type
    assert all((row[7], row[11], row[10]) == ("/releases/11.0.0/app.bin", "from=test", "updater/11") for row in lines)
    distribution_id = updates.cloud.endpoints["outputs"]["Root"]["DistributionId"]
    name = re.compile(rf"cloudfront/[a-z0-9-]+-updates/{distribution_id}\.\d{{4}}-\d\d-\d\d-\d\d\.[0-9a-f]{{8}}\.gz")
    assert keys and all(name.fullmatch(key) for key in keys)


def test_manifests_are_compressed_and_binaries_are_not(updates):
    manifest = json.dumps({"version": "12.0.0", "files": [f"/releases/12.0.0/part-{i}.bin" for i in range(200)]})
    updates.put("/channels/gz/latest.json", manifest.encode())
    updates.put("/releases/12.0.0/app.bin", pattern(64 * 1024, "gzip"))
    asked = {"Accept-Encoding": "gzip, br"}
    compressed = updates.get("/channels/gz/latest.json", headers=asked)
    assert compressed.headers["Content-Encoding"] in ("gzip", "br") and compressed.text == manifest
    binary = updates.get("/releases/12.0.0/app.bin", headers=asked)
    assert "Content-Encoding" not in binary.headers  # application/octet-stream is not a compressible type
