"""SQS event source mappings against a real moto server: shapes, batching, partial failures, redrive,
filters, FIFO order and throttling."""

from __future__ import annotations

import json

from localcloud.model import Throttled
from tests.localcloud.test_sources_harness import (
    FakeFunctions,
    FunctionFailed,
    client_factory,
    drain,
    logged,
    make_queue,
    mapping,
    moto_url,
    running,
    unique,
)

__all__ = ["moto_url"]


def test_record_shape_and_delivery_log(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("shape"))
    fns = FakeFunctions()
    fns.add("Consumer")
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, events):
        aws("sqs").send_message(
            QueueUrl=url,
            MessageBody='{"hello": "world"}',
            MessageAttributes={
                "kind": {"DataType": "String", "StringValue": "greeting"},
                "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
        )
        assert sources.wait_idle(10)
    [record] = fns.records_for("Consumer")
    assert record["body"] == '{"hello": "world"}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"]["kind"]["stringValue"] == "greeting"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["messageAttributes"]["blob"]["binaryValue"] == "AAE="
    assert record["md5OfBody"] and record["receiptHandle"] and record["messageId"]
    [entry] = logged(events, "delivery")
    assert entry["function"] == "Consumer" and entry["outcome"] == "ok" and entry["source"] == "Map"
    assert drain(aws, url) == []


def test_batch_size_is_respected_and_everything_is_delivered(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("batch"))
    fns = FakeFunctions()
    fns.add("Consumer")
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", BatchSize=2)]) as (sources, _):
        for i in range(7):
            aws("sqs").send_message(QueueUrl=url, MessageBody=str(i))
        assert sources.wait_idle(10)
    sizes = [len(e["Records"]) for e in fns.events_for("Consumer")]
    assert max(sizes) <= 2
    assert sorted(r["body"] for r in fns.records_for("Consumer")) == [str(i) for i in range(7)]


def test_batching_window_gathers_messages_into_one_invocation(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("window"))
    fns = FakeFunctions()
    fns.add("Consumer")
    props = {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 2}
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", **props)]) as (sources, _):
        aws("sqs").send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
        aws("sqs").send_message(QueueUrl=url, MessageBody="late")
        assert sources.wait_idle(10)
    assert [len(e["Records"]) for e in fns.events_for("Consumer")] == [4]


def test_partial_failure_retries_only_the_failed_message_then_redrives_it(moto_url):
    aws = client_factory(moto_url)
    dlq_url, dlq_arn = make_queue(aws, unique("dlq"))
    url, arn = make_queue(
        aws, unique("work"), VisibilityTimeout="1", RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}
    )

    def handler(event):
        return {
            "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]
        }

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    props = {"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", **props)]) as (sources, events):
        aws("sqs").send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(["a", "bad", "b"])]
        )
        assert sources.wait_idle(15)
    bodies = [r["body"] for r in fns.records_for("Consumer")]
    assert bodies.count("a") == 1 and bodies.count("b") == 1
    assert bodies.count("bad") == 2
    assert [m["Body"] for m in drain(aws, dlq_url)] == ["bad"]
    assert drain(aws, url) == []
    [dead] = logged(events, "dead-letter")
    assert dead["body"] == "bad" and dead["source"] == "Map" and dead["receiveCount"] == 2


def test_function_error_fails_the_whole_batch(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("err"), VisibilityTimeout="1")
    seen = []

    def handler(event):
        seen.append(len(seen))
        if len(seen) == 1:
            raise FunctionFailed("first try fails")

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, events):
        aws("sqs").send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(2)])
        assert sources.wait_idle(15)
    bodies = sorted(r["body"] for r in fns.records_for("Consumer"))
    assert bodies == ["0", "0", "1", "1"]
    outcomes = [e["outcome"] for e in logged(events, "delivery")]
    assert outcomes[0] == "error" and outcomes[-1] == "ok"


def test_unknown_item_identifier_fails_the_whole_batch(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("bad-id"), VisibilityTimeout="1")
    answers = [{"batchItemFailures": [{"itemIdentifier": "not-in-batch"}]}, {"batchItemFailures": []}]
    fns = FakeFunctions()
    fns.add("Consumer", lambda event: answers.pop(0))
    props = {"FunctionResponseTypes": ["ReportBatchItemFailures"]}
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", **props)]) as (sources, events):
        aws("sqs").send_message(QueueUrl=url, MessageBody="x")
        assert sources.wait_idle(15)
    first = logged(events, "delivery")[0]
    assert first["outcome"] == "error" and "malformed" in first["note"]
    assert drain(aws, url) == []


def test_filtered_out_messages_are_deleted_and_not_delivered(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("filter"))
    fns = FakeFunctions()
    fns.add("Consumer")
    criteria = {"Filters": [{"Pattern": json.dumps({"body": {"type": ["PostPublished"]}})}]}
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", FilterCriteria=criteria)]) as (sources, events):
        for kind in ("PostPublished", "PostDeleted", "PostPublished"):
            aws("sqs").send_message(QueueUrl=url, MessageBody=json.dumps({"type": kind}))
        aws("sqs").send_message(QueueUrl=url, MessageBody="not json")
        assert sources.wait_idle(10)
    assert [json.loads(r["body"])["type"] for r in fns.records_for("Consumer")] == ["PostPublished"] * 2
    assert drain(aws, url) == []
    assert sum(len(e["body"]["messageIds"]) for e in logged(events, "filtered")) == 2


def test_fifo_keeps_order_per_group_even_when_a_message_fails(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(
        aws, unique("order") + ".fifo", FifoQueue="true", ContentBasedDeduplication="true", VisibilityTimeout="1"
    )
    failed_once = set()

    def handler(event):
        failures = []
        for record in event["Records"]:
            if record["body"] == "g1-2" and "g1-2" not in failed_once:
                failed_once.add("g1-2")
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    props = {"FunctionResponseTypes": ["ReportBatchItemFailures"]}
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", **props)]) as (sources, _):
        for i in range(5):
            for group in ("g1", "g2"):
                aws("sqs").send_message(QueueUrl=url, MessageBody=f"{group}-{i}", MessageGroupId=group)
        assert sources.wait_idle(15)
    bodies = [r["body"] for r in fns.records_for("Consumer")]
    assert bodies.count("g1-2") == 2
    for group in ("g1", "g2"):
        in_group = [b for b in bodies if b.startswith(group)]
        last_seen = {}
        for index, body in enumerate(in_group):
            last_seen[body] = index
        # the final (successful) deliveries of a group happen in send order
        final_order = sorted(last_seen, key=last_seen.get)
        assert final_order == [f"{group}-{i}" for i in range(5)]
    assert drain(aws, url) == []


def test_throttled_invocations_are_retried_without_counting_a_receive(moto_url):
    aws = client_factory(moto_url)
    dlq_url, dlq_arn = make_queue(aws, unique("tdlq"))
    url, arn = make_queue(aws, unique("throttle"), RedrivePolicy={"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})
    throttles = [1, 2, 3]

    def handler(event):
        if throttles:
            throttles.pop()
            raise Throttled("busy")

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, _):
        aws("sqs").send_message(QueueUrl=url, MessageBody="x")
        assert sources.wait_idle(10)
    delivered = fns.records_for("Consumer")
    assert [r["attributes"]["ApproximateReceiveCount"] for r in delivered] == ["1"] * 4
    assert drain(aws, dlq_url) == [] and drain(aws, url) == []
