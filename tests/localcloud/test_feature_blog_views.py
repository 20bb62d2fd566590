"""The blog's storage-first view counting, end to end (templates/blog_views): `POST /posts/{slug}/views`
goes from API Gateway straight into Kinesis through a VTL request template that reads the path
parameter, the request time and the body, answers 202 through the integration response, and the stream
feeds both the counter and the Firehose archive. The API has a Cognito default authorizer that the
public views route opts out of (`security: [{NONE: []}]`), and a function route merged into the same
definition, as the blog's API has."""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import LocalCloudProcess, localcloud_on

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "blog_views" / "template.yaml"
SLUGS = ("hello-world", "second-post", "third-post")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "blog-views")


@pytest.fixture
def app(cloud):
    yield cloud, cloud.endpoints["outputs"]["Root"]
    cloud.reset()


def views_url(cloud: LocalCloudProcess, slug: str) -> str:
    return f"{cloud.api_url('Api')}/posts/{slug}/views"


def archived(cloud: LocalCloudProcess, bucket: str) -> list[bytes]:
    s3 = cloud.aws("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="views/").get("Contents", [])]
    bodies = [gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]
    return [line for body in bodies for line in body.splitlines()]  # Firehose appended the newlines


def tip(cloud: LocalCloudProcess, stream: str) -> str:
    """An iterator after the stream's newest record (a reset skips records, it does not delete them)."""
    kinesis = cloud.aws("kinesis")
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    return kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]


def records_after(cloud: LocalCloudProcess, iterator: str) -> list[dict]:
    return cloud.aws("kinesis").get_records(ShardIterator=iterator)["Records"]


def test_a_thousand_posted_views_are_counted_and_archived(app):
    cloud, out = app
    started_ms = int(time.time() * 1000)
    session = requests.Session()

    def post(n: int) -> requests.Response:
        body = json.dumps({"referrer": f"https://example.com/{n}"}).replace(" ", "")
        return session.post(views_url(cloud, SLUGS[n % 3]), data=body, headers={"Content-Type": "application/json"})

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(post, range(1000)))
    assert {r.status_code for r in responses} == {202}
    answer = responses[0].json()
    assert answer["accepted"] is True and answer["at"] >= started_ms
    assert cloud.wait_idle(60)

    for slug, expected in zip(SLUGS, (334, 333, 333), strict=True):
        shown = requests.get(f"{cloud.api_url('Api')}/posts/{slug}", timeout=10)
        assert shown.status_code == 200 and shown.json() == {"slug": slug, "views": expected}
    records = [json.loads(r) for r in archived(cloud, out["ArchiveBucket"])]
    assert len(records) == 1000
    assert {r["slug"] for r in records} == set(SLUGS)
    assert all(started_ms <= r["at"] <= int(time.time() * 1000) for r in records)
    assert sorted(r["beacon"]["referrer"] for r in records) == sorted(f"https://example.com/{n}" for n in range(1000))


def test_the_record_carries_the_slug_as_partition_key_and_the_time_of_the_request(app):
    cloud, out = app
    before = tip(cloud, out["ViewStreamName"])
    response = requests.post(views_url(cloud, "hello-world"), json={"referrer": "r"}, timeout=10)
    assert response.status_code == 202, response.text
    (record,) = records_after(cloud, before)
    assert record["PartitionKey"] == "hello-world"
    view = json.loads(record["Data"])
    assert view["slug"] == "hello-world" and view["beacon"] == {"referrer": "r"}
    assert view["at"] == response.json()["at"]  # the same $context.requestTimeEpoch in both templates
    assert cloud.wait_idle(30)


def test_a_beacon_sent_as_text_plain_and_one_without_a_body_are_recorded(app):
    cloud, out = app
    before = tip(cloud, out["ViewStreamName"])
    beacon = '{"slug":"second-post","via":"sendBeacon"}'
    sent = requests.post(views_url(cloud, "second-post"), data=beacon,
                         headers={"Content-Type": "text/plain;charset=UTF-8"}, timeout=10)  # fmt: skip
    empty = requests.post(views_url(cloud, "third-post"), timeout=10)
    assert (sent.status_code, empty.status_code) == (202, 202), (sent.text, empty.text)
    first, second = records_after(cloud, before)
    assert first["Data"] == beacon.encode()  # $util.base64Encode($input.body): the body as posted
    assert json.loads(second["Data"])["slug"] == "third-post" and json.loads(second["Data"])["beacon"] == {}
    assert cloud.wait_idle(30)


def test_kinesis_refusing_the_record_is_a_400_from_the_integration_response(app):
    cloud, out = app
    before = tip(cloud, out["ViewStreamName"])
    response = requests.post(views_url(cloud, "x" * 300), json={}, timeout=10)  # PartitionKey over 256
    assert response.status_code == 400
    assert response.json() == {"message": "view not recorded"}
    assert records_after(cloud, before) == []


def test_a_poison_record_goes_to_the_on_failure_queue_and_the_rest_are_counted(app):
    cloud, out = app
    for body, kind in (('{"slug":"hello-world"}', "text/plain"), ("not a view", "text/plain")):
        assert requests.post(views_url(cloud, "hello-world"), data=body, headers={"Content-Type": kind},
                             timeout=10).status_code == 202  # fmt: skip
    assert cloud.wait_idle(60)
    shown = requests.get(f"{cloud.api_url('Api')}/posts/hello-world", timeout=10).json()
    assert shown["views"] == 1
    sqs = cloud.aws("sqs")
    queue = sqs.get_queue_url(QueueName=out["ViewFailuresQueue"])["QueueUrl"]
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["KinesisBatchInfo"]["batchSize"] == 1
    assert sorted(archived(cloud, out["ArchiveBucket"])) == sorted([b'{"slug":"hello-world"}', b"not a view"])
