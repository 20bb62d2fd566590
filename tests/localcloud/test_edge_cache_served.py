"""The local CloudFront caching as a client sees it, through a running localcloud: hits and misses with
CloudFront's headers, the cache key, collapsing, ranges, conditional requests, error caching, stale
copies, invalidation and compression."""

from __future__ import annotations

import gzip
import threading
import time
import uuid

import pytest
import requests

from tests.localcloud.edge_support import edge
from tests.support.origin import pattern

pytestmark = pytest.mark.localcloud
__all__ = ["edge"]


def fresh(name: str) -> str:
    return f"/legacy/{name}-{uuid.uuid4().hex[:8]}"


def test_a_second_get_is_a_hit_with_cloudfronts_headers_and_one_origin_fetch(edge):
    path = fresh("page") + ".txt"
    first, second = edge.get(path), edge.get(path)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert first.headers["X-Cache"] == "Miss from cloudfront"
    assert second.headers["X-Cache"] == "Hit from cloudfront" and int(second.headers["Age"]) >= 0
    assert second.headers["Via"].endswith(".cloudfront.net (CloudFront)") and second.headers["X-Amz-Cf-Pop"]
    assert first.headers["X-Amz-Cf-Id"] != second.headers["X-Amz-Cf-Id"]
    assert edge.origin.count(path) == 1


def test_the_origin_gets_its_custom_header_and_cloudfronts_own(edge):
    path = fresh("headers") + ".txt"
    assert edge.get(path, headers={"Cookie": "session=1", "X-Mine": "y"}).status_code == 200
    seen = {k.lower(): v for k, v in edge.origin.headers[path].items()}
    assert seen["x-origin-secret"] == "s3cret" and seen["user-agent"] == "Amazon CloudFront"
    assert "x-amz-cf-id" in seen and seen["via"].endswith("(CloudFront)") and "x-forwarded-for" in seen
    assert "cookie" not in seen and "x-mine" not in seen  # the cache policy forwards neither


def test_only_whitelisted_query_strings_fragment_the_cache(edge):
    path = fresh("query") + ".txt"
    edge.get(path)
    assert edge.get(path + "?utm=campaign").headers["X-Cache"].startswith("Hit")  # not in the key
    assert edge.get(path + "?v=2").headers["X-Cache"].startswith("Miss")  # in the key
    assert edge.get(path + "?v=2").headers["X-Cache"].startswith("Hit")
    assert edge.origin.count(path) == 2


def test_two_hundred_concurrent_first_requests_make_one_origin_fetch(edge):
    path = fresh("collapse") + ".bin"
    requests.post(f"http://127.0.0.1:{edge.origin.port}/_origin/delay?seconds=0.5", timeout=10)
    bodies: list[bytes] = []
    lock = threading.Lock()

    def viewer():
        body = requests.get(f"{edge.url}{path}", timeout=60).content  # 1 MiB: the origin sees no query string
        with lock:
            bodies.append(body)

    try:
        threads = [threading.Thread(target=viewer) for _ in range(200)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        requests.post(f"http://127.0.0.1:{edge.origin.port}/_origin/heal", timeout=10)
    assert len(bodies) == 200 and all(b == pattern(0, 1048576) for b in bodies)
    assert edge.origin.count(path) == 1


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [("bytes=100-199", 100, 199), ("bytes=-500", 1048576 - 500, 1048575), ("bytes=1048000-", 1048000, 1048575)],
)
def test_a_range_is_served_byte_for_byte_on_the_miss_and_from_the_cache(edge, range_header, start, end):
    path = fresh("range") + ".bin"
    labels = []
    deadline = time.monotonic() + 10
    while not labels or (labels[-1] != "Hit from cloudfront" and time.monotonic() < deadline):
        response = edge.get(path, headers={"Range": range_header})
        assert response.status_code == 206 and response.content == pattern(start, end + 1)
        assert response.headers["Content-Range"] == f"bytes {start}-{end}/1048576"
        labels.append(response.headers["X-Cache"])
    # a request while the whole object is still arriving follows that fetch (a Miss); then it is a Hit
    assert labels[0] == "Miss from cloudfront" and labels[-1] == "Hit from cloudfront"
    assert edge.origin.count(path) == 1
    assert "range" not in {k.lower() for k in edge.origin.headers[path]}  # the whole object was fetched


def test_unsatisfiable_and_overlapping_ranges(edge):
    path = fresh("badrange") + ".bin"
    size = 1048576  # the cache policy forwards no query string, so the origin's default size
    unsatisfiable = edge.get(path, headers={"Range": f"bytes={size + 10}-{size + 20}"})
    assert unsatisfiable.status_code == 416 and unsatisfiable.headers["Content-Range"] == f"bytes */{size}"
    overlapping = edge.get(path, headers={"Range": "bytes=0-500,400-600"})
    assert overlapping.status_code == 200 and overlapping.content == pattern(0, size)
    several = edge.get(path, headers={"Range": "bytes=0-9,100-109"})
    assert several.status_code == 206 and several.headers["Content-Type"].startswith("multipart/byteranges")
    assert pattern(0, 10) in several.content and pattern(100, 110) in several.content


def test_conditional_requests_get_304_from_the_cache(edge):
    path = fresh("etag") + ".txt"
    first = edge.get(path)
    etag = first.headers["ETag"]
    assert edge.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert edge.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert edge.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    ranged = edge.get(path, headers={"Range": "bytes=0-4", "If-Range": '"stale"'})
    assert ranged.status_code == 200  # If-Range does not match: the whole object
    assert edge.origin.count(path) == 1


def test_errors_are_cached_for_the_error_caching_minimum(edge):
    path = fresh("broken") + "/error"
    first, second = edge.get(path), edge.get(path)
    assert first.status_code == second.status_code == 500
    assert first.headers["X-Cache"] == "Error from cloudfront"
    assert edge.origin.count(path) == 1  # cached for 10 s


def test_a_response_that_may_not_be_stored_is_fetched_every_time(edge):
    path = fresh("dynamic") + "/nocache"
    edge.get(path)
    edge.get(path)
    assert edge.origin.count(path) == 2


def test_invalidation_purges_exact_paths_and_wildcards(edge):
    folder = fresh("inv")
    a, b = f"{folder}/a.txt", f"{folder}/b.txt"
    for path in (a, b):
        edge.get(path)
    created = edge.invalidate(a)["Invalidation"]
    assert created["Status"] == "COMPLETED"
    assert edge.get(a).headers["X-Cache"].startswith("Miss") and edge.get(b).headers["X-Cache"].startswith("Hit")
    edge.invalidate(f"{folder}/*")
    assert edge.get(b).headers["X-Cache"].startswith("Miss")
    cloudfront = edge.cloud.aws("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=edge.outputs["DistributionId"])["InvalidationList"]
    assert listed["Quantity"] >= 2
    assert edge.get(a.upper()).status_code in (200, 403, 404)  # a different (case-sensitive) path


def test_an_expired_copy_is_served_when_the_origin_then_fails(edge):
    path = fresh("stale-maxage1") + ".txt"
    first = edge.get(path)
    assert first.status_code == 200
    time.sleep(1.2)  # the copy expires
    requests.post(f"http://127.0.0.1:{edge.origin.port}/_origin/fail?path={path}", timeout=10)
    try:
        stale = edge.get(path)
    finally:
        requests.post(f"http://127.0.0.1:{edge.origin.port}/_origin/heal", timeout=10)
    assert stale.status_code == 200 and stale.content == first.content
    assert edge.origin.count(path) == 2  # it did ask the origin, which failed


def test_an_expired_copy_is_revalidated_and_refreshed_on_304(edge):
    path = fresh("refresh-maxage1") + ".txt"
    edge.get(path)
    time.sleep(1.2)
    refreshed = edge.get(path)
    assert refreshed.status_code == 200 and refreshed.headers["X-Cache"] in (
        "RefreshHit from cloudfront",
        "Miss from cloudfront",  # the test origin answers 200 to If-None-Match: CloudFront then replaces it
    )


def test_compressible_objects_are_compressed_for_viewers_that_accept_it(edge):
    edge.put_site("compress/page.html", b"<html><body>" + b"<p>lorem ipsum</p>" * 200 + b"</body></html>")
    plain = edge.get("/compress/page.html", headers={"Accept-Encoding": "identity"})
    zipped = edge.get("/compress/page.html", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.raw.read()) == plain.content
