"""The blog's views pipeline and covers consumer on the session's localcloud (the root template, the
blog service as deployed, media's real MediaEvents): POST /posts/{slug}/views through API Gateway's
Kinesis integration to the counter and the Firehose archive, a poison record, unknown slugs, bad input,
and MediaProcessed through SNS to a post's cover. samconfig's `local` env sets the batching window and
the archive's buffer to 1 s."""

from __future__ import annotations

import gzip
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from common.envelope import Publisher

pytestmark = pytest.mark.localcloud

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "blog"
API = "Blog/BlogApi"
STAMP = "2026-01-02T03:04:05.000Z"


@pytest.fixture
def blog(localcloud):
    return localcloud, localcloud.endpoints["outputs"]["Blog"]


def put_posts(cloud, out: dict, *slugs: str, cover: str | None = None) -> None:
    ddb = cloud.aws("dynamodb")
    for slug in slugs:
        item = {"slug": {"S": slug}, "title": {"S": slug}, "status": {"S": "draft"}, "createdAt": {"S": STAMP},
                "updatedAt": {"S": STAMP}, "version": {"N": "1"}, "views": {"N": "0"}}  # fmt: skip
        if cover:
            item |= {"coverId": {"S": cover}, "cover": {"M": {"id": {"S": cover}, "alt": {"S": "alt"}}}}
        ddb.put_item(TableName=out["PostsTableName"], Item=item)


def item(cloud, out: dict, slug: str) -> dict | None:
    table = cloud.aws("dynamodb").get_item(TableName=out["PostsTableName"], Key={"slug": {"S": slug}})
    return table.get("Item")


def views_of(cloud, out: dict, slug: str) -> int:
    return int(item(cloud, out, slug).get("views", {"N": "0"})["N"])


def post_view(cloud, slug: str, session: requests.Session | None = None, **kw) -> requests.Response:
    return (session or requests).post(f"{cloud.api_url(API)}/posts/{slug}/views", timeout=10, **kw)


def archive(cloud, out: dict) -> dict[str, list[bytes]]:
    """Every archived object's key → its records (one a line: AppendDelimiterToRecord)."""
    s3 = cloud.aws("s3")
    bucket = out["ViewsArchiveBucketName"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {k: gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read()).splitlines() for k in keys}


def failures(cloud, url: str) -> list[dict]:
    messages = cloud.aws("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_a_thousand_posted_views_count_a_thousand_and_the_archive_holds_each(blog):
    cloud, out = blog
    put_posts(cloud, out, "hello-world")
    session = requests.Session()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: post_view(cloud, "hello-world", session), range(1000)))
    assert {r.status_code for r in answers} == {202}
    assert answers[0].json() == {"accepted": True}
    assert cloud.wait_idle(90)
    assert views_of(cloud, out, "hello-world") == 1000
    objects = archive(cloud, out)
    records = [json.loads(line) for lines in objects.values() for line in lines]
    assert len(records) == 1000 and {r["slug"] for r in records} == {"hello-world"}
    for key, lines in objects.items():
        day = datetime.fromtimestamp(json.loads(lines[0])["time"] / 1000, UTC)
        assert key.startswith(day.strftime("views/%Y/%m/%d/")), key
    assert all(r["ua"].startswith("python-requests/") for r in records)


def test_a_poison_record_does_not_stall_the_shard_and_lands_in_the_on_failure_queue(blog):
    cloud, out = blog
    put_posts(cloud, out, "hello-world", "second-post")
    for _ in range(3):
        assert post_view(cloud, "hello-world").status_code == 202
    put = cloud.aws("kinesis").put_record(StreamName=out["ViewStreamName"], PartitionKey="x", Data=b"\x00poison")
    for slug in ("second-post", "hello-world", "second-post"):
        assert post_view(cloud, slug).status_code == 202
    assert cloud.wait_idle(90)
    assert (views_of(cloud, out, "hello-world"), views_of(cloud, out, "second-post")) == (4, 2)
    (failure,) = failures(cloud, out["ViewsFailureQueueUrl"])
    batch = failure["KinesisBatchInfo"]
    assert batch["batchSize"] == 1 and batch["startSequenceNumber"] == put["SequenceNumber"]
    assert b"\x00poison" in [line for lines in archive(cloud, out).values() for line in lines]  # kept as sent


def test_views_of_an_unknown_slug_create_no_item(blog):
    cloud, out = blog
    put_posts(cloud, out, "hello-world")
    assert post_view(cloud, "no-such-post").status_code == 202
    assert post_view(cloud, "hello-world").status_code == 202
    assert cloud.wait_idle(60)
    assert item(cloud, out, "no-such-post") is None
    assert views_of(cloud, out, "hello-world") == 1
    assert cloud.aws("dynamodb").scan(TableName=out["PostsTableName"])["Count"] == 1
    assert failures(cloud, out["ViewsFailureQueueUrl"]) == []


@pytest.mark.parametrize("slug", ["Hello", "a--b", "-a", "a-", "a_b", "a.b", "%C3%A9t%C3%A9", "x" * 201])
def test_a_bad_slug_is_a_400_with_a_json_message_and_records_nothing(blog, slug):
    cloud, out = blog
    kinesis = cloud.aws("kinesis")
    shard = kinesis.list_shards(StreamName=out["ViewStreamName"])["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=out["ViewStreamName"], ShardId=shard,
                                          ShardIteratorType="LATEST")["ShardIterator"]  # fmt: skip
    answer = post_view(cloud, slug)
    assert answer.status_code == 400 and answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["code"] == "InvalidSlug" and "slug" in answer.json()["message"]
    assert kinesis.get_records(ShardIterator=iterator)["Records"] == []


def test_a_beacon_as_text_plain_counts_and_another_media_type_is_a_415(blog):
    cloud, out = blog
    put_posts(cloud, out, "hello-world")
    sent = post_view(cloud, "hello-world", data="{}", headers={"Content-Type": "text/plain;charset=UTF-8"})
    refused = post_view(cloud, "hello-world", data=b"\x89PNG", headers={"Content-Type": "image/png"})
    assert (sent.status_code, refused.status_code) == (202, 415)
    assert "message" in refused.json()
    assert cloud.wait_idle(60)
    assert views_of(cloud, out, "hello-world") == 1


def publish(cloud, type_: str, data: dict) -> None:
    topic = cloud.endpoints["outputs"]["Root"]["MediaEventsTopicArn"]
    Publisher(source="media", topic_arn=topic, client=cloud.aws("sns")).publish(type_, data)


def test_media_processed_attaches_the_renditions_once_and_other_events_are_filtered_out(blog):
    cloud, out = blog
    media = json.loads(json.loads((SAMPLES / "attach-cover.json").read_text())["Records"][0]["body"])["data"]
    put_posts(cloud, out, "hello-world", cover=media["id"])
    publish(cloud, "MediaRejected", {"id": media["id"], "reason": "not an image"})
    publish(cloud, "MediaProcessed", media)
    assert cloud.wait_idle(60)
    first = item(cloud, out, "hello-world")
    cover = first["cover"]["M"]
    assert cover["alt"] == {"S": "alt"} and cover["width"] == {"N": "4032"}
    urls = sorted(r["M"]["url"]["S"] for r in cover["renditions"]["L"])
    assert urls == sorted("/media/" + r["key"] for r in media["renditions"])
    publish(cloud, "MediaProcessed", media)
    assert cloud.wait_idle(60)
    assert item(cloud, out, "hello-world") == first
    assert failures(cloud, out["CoversDeadLetterQueueUrl"]) == []
    kept = cloud.aws("dynamodb").get_item(TableName=out["CoversTableName"], Key={"id": {"S": media["id"]}})
    assert int(kept["Item"]["width"]["N"]) == media["width"]


def test_the_samples_invoke_the_deployed_functions(blog):
    cloud, out = blog
    media = json.loads(json.loads((SAMPLES / "attach-cover.json").read_text())["Records"][0]["body"])["data"]
    put_posts(cloud, out, "hello-world", cover=media["id"])
    put_posts(cloud, out, "second-post")
    answer = cloud.invoke("Blog/AggregateViewsFunction", json.loads((SAMPLES / "aggregate-views.json").read_text()))
    assert (answer["error"], answer["payload"]) == (None, {"batchItemFailures": []})
    assert (views_of(cloud, out, "hello-world"), views_of(cloud, out, "second-post")) == (2, 1)
    answer = cloud.invoke("Blog/AttachCoverFunction", json.loads((SAMPLES / "attach-cover.json").read_text()))
    assert (answer["error"], answer["payload"]) == (None, {"batchItemFailures": []})
    assert len(item(cloud, out, "hello-world")["cover"]["M"]["renditions"]["L"]) == 6
