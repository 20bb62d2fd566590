"""common.envelope: the message shape and the publisher, against moto SQS and SNS."""

from __future__ import annotations

import json

import boto3
import pytest
from common.envelope import ENVELOPE_KEYS, Publisher, make_envelope
from moto import mock_aws


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


def test_envelope_shape():
    envelope = make_envelope("PostPublished", {"id": 1}, source="blog")
    assert tuple(envelope) == ENVELOPE_KEYS
    assert envelope["version"] == 1 and envelope["source"] == "blog" and envelope["time"].endswith("Z")
    assert make_envelope("X", {}, source="s")["id"] != envelope["id"]


def test_publisher_needs_exactly_one_target():
    with pytest.raises(ValueError):
        Publisher(source="s")
    with pytest.raises(ValueError):
        Publisher(source="s", topic_arn="arn", queue_url="url")


def test_publishes_to_a_queue_with_attributes(aws, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-abc")
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    sent = Publisher(source="blog", queue_url=url).publish("PostPublished", {"slug": "a"}, correlation_id="c-1")
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"][0]
    assert json.loads(message["Body"]) == sent
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {"type": "PostPublished", "correlation_id": "c-1", "trace_header": "Root=1-abc"}


def test_publishes_to_a_topic(aws):
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url = sqs.create_queue(QueueName="sub")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sent = Publisher(source="media", topic_arn=topic).publish("MediaProcessed", {"key": "k"})
    body = sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"]
    assert json.loads(body) == sent
