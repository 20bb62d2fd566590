"""The outbox: each change of the posts table is exactly one valid BlogEvents message, replays included."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import boto3
import jsonschema
import pytest
from boto3.dynamodb.types import TypeSerializer
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.blog.conftest import FakeContext, sample

SCHEMAS = Path(__file__).resolve().parents[2] / "events" / "schemas"
_serialize = TypeSerializer().serialize


def validator(type_: str) -> jsonschema.Draft7Validator:
    def load(name: str) -> dict:
        return json.loads((SCHEMAS / name).read_text())

    registry = Registry().with_resource("envelope.schema.json", DRAFT7.create_resource(load("envelope.schema.json")))
    return jsonschema.Draft7Validator(load(f"{type_}.v1.schema.json"), registry=registry,
                                      format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)  # fmt: skip


@pytest.fixture(scope="module")
def bus(aws):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name=os.environ["TOPIC_ARN"].rsplit(":", 1)[1])["TopicArn"]
    queue = sqs.create_queue(QueueName="blog-events-probe")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    boto3.client("dynamodb").create_table(
        TableName=os.environ["IDEMPOTENCY_TABLE"],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    from blog.handlers import publish_events

    def received() -> list[dict]:
        messages = []
        while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
            "Messages"
        ):
            messages += batch
            sqs.delete_message_batch(
                QueueUrl=queue, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch]
            )
        return messages

    return publish_events.handler, received


POST = {
    "slug": "hello-world", "title": "Hello", "body": "b", "html": "<p>b</p>", "excerpt": "b", "tags": ["AWS"],
    "tagSlugs": ["aws"], "status": "draft", "createdAt": "2026-11-30T09:00:00.000Z",
    "updatedAt": "2026-11-30T09:00:00.000Z", "version": 1, "views": 0,
}  # fmt: skip


def record(event_id: str, name: str, old: dict | None, new: dict | None) -> dict:
    base = copy.deepcopy(sample("publish-events.json")["Records"][0])
    base.update(eventID=event_id, eventName=name)
    base["dynamodb"].pop("OldImage"), base["dynamodb"].pop("NewImage")
    if old:
        base["dynamodb"]["OldImage"] = {k: _serialize(v) for k, v in old.items()}
    if new:
        base["dynamodb"]["NewImage"] = {k: _serialize(v) for k, v in new.items()}
    return base


def published(post: dict, version: int) -> dict:
    return {**post, "status": "published", "publishedAt": "2026-11-30T10:00:00.000Z", "version": version}


CHANGES = [
    ("e1", "INSERT", None, POST, "PostUpdated"),
    ("e2", "MODIFY", POST, published(POST, 2), "PostPublished"),
    ("e3", "MODIFY", published(POST, 2), {**published(POST, 3), "title": "Hello again"}, "PostUpdated"),
    ("e4", "MODIFY", published(POST, 3), {**published(POST, 3), "views": 41}, None),  # the view counter
    ("e5", "MODIFY", published(POST, 3), {**POST, "version": 4}, "PostUnpublished"),
    ("e6", "REMOVE", {**POST, "version": 4}, None, "PostDeleted"),
]


def test_the_sample_event_publishes_one_valid_post_published(bus):
    handler, received = bus
    assert handler(sample("publish-events.json"), FakeContext()) == {"batchItemFailures": []}
    messages = received()
    assert len(messages) == 1
    envelope = json.loads(messages[0]["Body"])
    validator("PostPublished").validate(envelope)
    assert messages[0]["MessageAttributes"]["type"]["StringValue"] == "PostPublished"


def test_each_change_is_exactly_one_valid_event_and_replays_publish_nothing_new(bus):
    handler, received = bus
    event = {"Records": [record(f"outbox-{eid}", name, old, new) for eid, name, old, new, _ in CHANGES]}
    assert handler(event, FakeContext()) == {"batchItemFailures": []}
    first = received()
    expected = [type_ for *_, type_ in CHANGES if type_]
    assert [m["MessageAttributes"]["type"]["StringValue"] for m in first] == expected
    for message in first:
        envelope = json.loads(message["Body"])
        validator(envelope["type"]).validate(envelope)
        assert envelope["source"] == "blog" and envelope["data"]["slug"] == "hello-world"
    assert json.loads(first[-1]["Body"])["data"] == {"slug": "hello-world", "wasPublished": False, "version": 4}

    # The poller hands the same records over again (a retry after a timeout, a bisected batch).
    assert handler(event, FakeContext()) == {"batchItemFailures": []}
    assert handler({"Records": event["Records"][2:4]}, FakeContext()) == {"batchItemFailures": []}
    assert received() == []


def test_a_record_that_cannot_be_published_fails_alone(bus, monkeypatch):
    handler, received = bus
    from blog.handlers import publish_events

    calls = []
    original = publish_events.publisher.publish

    def flaky(type_, data, **kw):
        calls.append(data["slug"])
        if data["slug"] == "broken":
            raise RuntimeError("SNS is down for this one")
        return original(type_, data, **kw)

    monkeypatch.setattr(publish_events.publisher, "publish", flaky)
    good = record("fail-1", "INSERT", None, {**POST, "slug": "fine"})
    bad = record("fail-2", "INSERT", None, {**POST, "slug": "broken"})
    result = handler({"Records": [good, bad]}, FakeContext())
    assert result == {"batchItemFailures": [{"itemIdentifier": bad["dynamodb"]["SequenceNumber"]}]}
    assert [json.loads(m["Body"])["data"]["slug"] for m in received()] == ["fine"]
    monkeypatch.setattr(publish_events.publisher, "publish", original)
    # Retried: only the failed one is published now, the other was already announced.
    assert handler({"Records": [good, bad]}, FakeContext()) == {"batchItemFailures": []}
    assert [json.loads(m["Body"])["data"]["slug"] for m in received()] == ["broken"]
