"""Messages moto moves by itself reach the event log: S3 notifications, SNS fan-out, DynamoDB stream records."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from localcloud import moto_taps
from localcloud.model import EventLog

REGION = "us-east-1"


@pytest.fixture
def events():
    log = EventLog()
    with mock_aws():
        moto_taps.install(log)
        yield log


def client(service: str):
    return boto3.client(service, region_name=REGION)


def of(events: EventLog, channel: str) -> list[dict]:
    return [e for e in events.entries() if e["channel"] == channel]


def notifying_bucket(bucket: str, queue_name: str) -> str:
    """A bucket whose object writes notify a new queue; returns the queue URL."""
    sqs, s3 = client("sqs"), client("s3")
    queue = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    return queue


def test_an_s3_write_records_the_notification_it_sends_to_a_queue(events):
    notifying_bucket("uploads", "inbox")
    assert of(events, "s3") == []  # the s3:TestEvent sent on configuration is not traffic

    client("s3").put_object(Bucket="uploads", Key="inbox/a b.txt", Body=b"x")

    [entry] = of(events, "s3")
    assert (entry["kind"], entry["name"], entry["target"], entry["target_kind"]) == (
        "ObjectCreated:Put",
        "uploads",
        "inbox",
        "queue",
    )
    assert entry["key"] == "inbox/a b.txt"
    assert entry["body"]["Records"][0]["s3"]["object"]["key"] in ("inbox/a+b.txt", "inbox%2Fa+b.txt")
    assert entry["body"]["Records"][0]["s3"]["bucket"]["name"] == "uploads"
    assert entry["direction"] == "internal" and "error" not in entry


def test_a_notification_to_a_missing_queue_is_recorded_as_dropped(events):
    client("sqs").delete_queue(QueueUrl=notifying_bucket("lost", "gone"))

    client("s3").put_object(Bucket="lost", Key="k", Body=b"x")

    [entry] = of(events, "s3")
    assert "does not exist" in entry["error"]


def test_sns_fan_out_to_a_queue_is_recorded_only_when_the_filter_lets_it_through(events):
    sns, sqs = client("sns"), client("sqs")
    topic = sns.create_topic(Name="events")["TopicArn"]
    queue = sqs.create_queue(QueueName="audit")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps({"type": ["audit"]})},
    )

    sns.publish(TopicArn=topic, Message="skip me", MessageAttributes=_type("other"))
    sns.publish(TopicArn=topic, Message="keep me", MessageAttributes=_type("audit"))
    sqs.send_message(QueueUrl=queue, MessageBody="direct")  # not a fan-out

    [entry] = of(events, "sns")
    assert (entry["kind"], entry["name"], entry["target"]) == ("fan-out", topic, "audit")
    assert entry["body"]["Message"] == "keep me"


def test_table_writes_record_their_stream_records(events):
    ddb = client("dynamodb")
    ddb.create_table(
        TableName="posts",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )

    ddb.put_item(TableName="posts", Item={"id": {"S": "p1"}})
    ddb.put_item(TableName="posts", Item={"id": {"S": "p1"}, "title": {"S": "t"}})
    ddb.delete_item(TableName="posts", Key={"id": {"S": "p1"}})

    entries = of(events, "dynamodb")
    assert [(e["kind"], e["name"]) for e in entries] == [("INSERT", "posts"), ("MODIFY", "posts"), ("REMOVE", "posts")]
    assert entries[1]["body"]["dynamodb"]["NewImage"]["title"] == {"S": "t"}
    assert isinstance(entries[0]["body"]["dynamodb"]["ApproximateCreationDateTime"], float)


def _type(value: str) -> dict:
    return {"type": {"DataType": "String", "StringValue": value}}
