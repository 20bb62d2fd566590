"""Firehose delivery end to end, driven as a client: records put to Kinesis (or straight to Firehose)
land in S3 as Firehose writes them, buffered by the hints, through the processor, on a running
localcloud (templates/firehose)."""

from __future__ import annotations

import base64
import gzip
import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

from tests.support.localcloud import LocalCloudProcess, localcloud_on

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "firehose" / "template.yaml"
OBJECT_SUFFIX = r"-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "firehose")


@pytest.fixture
def app(cloud):
    yield cloud, cloud.endpoints["outputs"]["Root"]
    cloud.reset()


def objects(cloud: LocalCloudProcess, bucket: str, prefix: str) -> dict[str, bytes]:
    s3 = cloud.aws("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def put_views(cloud: LocalCloudProcess, stream: str, payloads: list[bytes]) -> None:
    kinesis = cloud.aws("kinesis")
    for start in range(0, len(payloads), 500):
        batch = payloads[start : start + 500]
        entries = [{"Data": data, "PartitionKey": f"slug-{start + i}"} for i, data in enumerate(batch)]
        assert kinesis.put_records(StreamName=stream, Records=entries)["FailedRecordCount"] == 0


def utc_days(started: float) -> set[str]:
    return {datetime.fromtimestamp(t, UTC).strftime("%Y/%m/%d") for t in (started, time.time())}


def test_a_thousand_kinesis_records_land_gzipped_under_the_dated_prefix(app):
    cloud, out = app
    started = time.time()
    payloads = [json.dumps({"slug": f"post-{n % 7}", "n": n}).encode() + b"\n" for n in range(1000)]
    put_views(cloud, out["ViewsStream"], payloads)
    assert cloud.wait_idle(30)

    archived = objects(cloud, out["ArchiveBucket"], "views/")
    assert archived
    stream = re.escape(out["ViewsArchiveStream"])
    days = "|".join(re.escape(d) for d in utc_days(started))
    for key in archived:
        assert re.fullmatch(rf"views/({days})/{stream}{OBJECT_SUFFIX}\.gz", key), key
    lines = [line for body in archived.values() for line in gzip.decompress(body).splitlines(keepends=True)]
    assert len(lines) == 1000
    assert sorted(lines) == sorted(payloads)
    notified = cloud.aws("sqs").receive_message(QueueUrl=out["ArchiveWritesQueue"], MaxNumberOfMessages=10)
    bodies = [json.loads(m["Body"]) for m in notified.get("Messages", [])]
    keys = {unquote_plus(b["Records"][0]["s3"]["object"]["key"]) for b in bodies if "Records" in b}
    assert keys and keys <= set(archived)  # written through the AWS endpoint: the bucket's notification fired


def test_the_processor_transforms_drops_and_fails_records(app):
    cloud, out = app
    put_views(cloud, out["ViewsStream"], [b"hello;", b"please drop;", b"fail me;", b"bye;"])
    assert cloud.wait_idle(30)

    transformed = objects(cloud, out["ArchiveBucket"], "transformed/")
    data = [body for key, body in transformed.items() if not key.startswith("transformed/processing-failed/")]
    assert sorted(b"".join(data).split(b";")) == [b"", b"BYE", b"HELLO"]
    (failed_key,) = [k for k in transformed if k.startswith("transformed/processing-failed/")]
    assert re.fullmatch(rf"transformed/processing-failed/\d{{4}}/\d\d/\d\d/\d\d/.+{OBJECT_SUFFIX}", failed_key)
    (failure,) = [json.loads(line) for line in transformed[failed_key].splitlines()]
    assert failure["errorCode"] == "Lambda.ProcessingFailedStatus"
    assert base64.b64decode(failure["rawData"]) == b"fail me;"
    assert failure["lambdaArn"] == out["TransformFunction"]


def test_a_crashing_processor_sends_its_records_to_the_error_output_after_the_retries(app):
    cloud, out = app
    put_views(cloud, out["ViewsStream"], [b"crash"])
    assert cloud.wait_idle(30)

    failed = objects(cloud, out["ArchiveBucket"], "transformed/processing-failed/")
    (failure,) = [json.loads(line) for body in failed.values() for line in body.splitlines()]
    assert (failure["errorCode"], failure["attemptsMade"]) == ("Lambda.FunctionError", 2)  # NumberOfRetries: 1
    assert "asked to crash" in failure["errorMessage"]
    assert not [k for k in objects(cloud, out["ArchiveBucket"], "transformed/") if "processing-failed" not in k]


def test_direct_puts_are_buffered_into_one_object_under_the_default_prefix(app):
    cloud, out = app
    started = time.time()
    firehose = cloud.aws("firehose")
    batch = firehose.put_record_batch(DeliveryStreamName="direct-views", Records=[{"Data": b"a"}, {"Data": b"b"}])
    assert batch["FailedPutCount"] == 0 and len({r["RecordId"] for r in batch["RequestResponses"]}) == 2
    assert firehose.put_record(DeliveryStreamName="direct-views", Record={"Data": b"c"})["RecordId"]
    assert cloud.wait_idle(30)

    s3 = cloud.aws("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=out["ArchiveBucket"]).get("Contents", [])]
    hours = {datetime.fromtimestamp(t, UTC).strftime("%Y/%m/%d/%H") for t in (started, time.time())}
    (key,) = keys
    assert re.fullmatch(rf"({'|'.join(hours)})/direct-views{OBJECT_SUFFIX}", key), key
    assert s3.get_object(Bucket=out["ArchiveBucket"], Key=key)["Body"].read() == b"abc"


def test_direct_put_to_a_kinesis_source_stream_is_refused(app):
    cloud, out = app
    with pytest.raises(ClientError) as refused:
        cloud.aws("firehose").put_record(DeliveryStreamName=out["ViewsArchiveStream"], Record={"Data": b"x"})
    assert refused.value.response["Error"]["Code"] == "InvalidArgumentException"


def test_the_delivery_stream_is_known_to_the_firehose_api(app):
    cloud, out = app
    described = cloud.aws("firehose").describe_delivery_stream(DeliveryStreamName=out["ViewsArchiveStream"])
    description = described["DeliveryStreamDescription"]
    assert description["DeliveryStreamARN"] == out["ViewsArchiveArn"]
    assert description["DeliveryStreamType"] == "KinesisStreamAsSource"


def test_buffered_records_keep_wait_idle_waiting_and_a_reset_drops_them(app):
    cloud, out = app
    cloud.aws("firehose").put_record(DeliveryStreamName="slow-views", Record={"Data": b"later"})
    assert not cloud.wait_idle(1.5)  # 900 seconds of buffering: pending work, not flushed early
    cloud.reset()
    assert cloud.wait_idle(10)
    assert objects(cloud, out["ArchiveBucket"], "slow/") == {}


def test_every_delivery_is_in_the_event_log(app):
    cloud, out = app
    put_views(cloud, out["ViewsStream"], [b"logged\n"])
    assert cloud.wait_idle(30)
    events = cloud.http.get(cloud.base + "/_local/api/events?channel=firehose", timeout=10).json()
    deliveries = [e for e in events if e["kind"] == "delivery" and e["name"] == out["ViewsArchiveStream"]]
    (delivery,) = deliveries
    assert delivery["body"]["records"] == 1 and delivery["body"]["compression"] == "GZIP"
    assert delivery["body"]["key"] in objects(cloud, out["ArchiveBucket"], "views/")


def test_records_still_buffered_at_stop_are_delivered_then_kept(tmp_path):
    first = LocalCloudProcess(TEMPLATE, tmp_path, tmp_path / "log.txt").start()
    try:
        bucket = first.endpoints["outputs"]["Root"]["ArchiveBucket"]
        first.aws("firehose").put_record(DeliveryStreamName="slow-views", Record={"Data": b"kept at stop"})
    finally:
        first.stop()
    second = LocalCloudProcess(TEMPLATE, tmp_path, tmp_path / "log2.txt").start()
    try:
        assert list(objects(second, bucket, "slow/").values()) == [b"kept at stop"]
    finally:
        second.stop()
