"""DynamoDB stream error handling end to end: one batch holding a poison item is bisected until the poison
stands alone, every good item is processed, and the poison, after its one retry, is described to the
on-failure queue (shard, sequence numbers, stream) and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "stream_bisect" / "template.yaml"
ITEMS = ["a", "b", "poison", "d", "e", "f"]
GOOD = ["a", "b", "d", "e", "f"]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "stream-bisect")


def stream_sequence(cloud: LocalCloudProcess, stream_arn: str, item_id: str) -> str:
    streams = cloud.aws("dynamodbstreams")
    (shard,) = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return next(r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["id"]["S"] == item_id)


def batches_seen(cloud: LocalCloudProcess) -> list[str]:
    logs = cloud.http.get(f"{cloud.base}/_local/api/logs/Processor", timeout=30).json()
    return [entry["line"] for entry in logs if entry["line"].startswith("batch ")]


def test_bisect_isolates_the_poison_and_sends_it_to_the_on_failure_queue(cloud):
    outputs = cloud.endpoints["outputs"]["Root"]
    ddb = cloud.aws("dynamodb")
    for item_id in ITEMS:
        ddb.put_item(TableName=outputs["ItemsTable"], Item={"id": {"S": item_id}})
    assert cloud.wait_idle(30)

    processed = ddb.scan(TableName=outputs["ProcessedTable"])["Items"]
    assert sorted(item["id"]["S"] for item in processed) == GOOD
    batches = batches_seen(cloud)
    assert batches[0] == f"batch {ITEMS}", "the poison first arrives in one batch with the good items"
    assert batches.count("batch ['poison']") == 2, "alone, the poison is tried once and retried once"

    sqs = cloud.aws("sqs")
    messages = sqs.receive_message(QueueUrl=outputs["FailureQueue"], MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    failure = json.loads(messages[0]["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["responseContext"]["functionError"] == "Unhandled"
    batch = failure["DDBStreamBatchInfo"]
    poison = stream_sequence(cloud, outputs["ItemsStream"], "poison")
    assert batch["streamArn"] == outputs["ItemsStream"]
    assert batch["batchSize"] == 1
    assert batch["startSequenceNumber"] == batch["endSequenceNumber"] == poison
