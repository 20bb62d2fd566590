"""Fixtures for the media tests: moto with the bucket, topic and idempotency table made from the template."""

from __future__ import annotations

import json
import os

import pytest

from tests.support.fake_aws_env import FAKE_AWS_ENV

# Settings are read at import (cold start) and tests must never reach AWS.
os.environ.update(FAKE_AWS_ENV)
BUCKET = "platform-dev-media-123456789012-us-east-1"  # the sample events' bucket
os.environ.setdefault("MEDIA_BUCKET", BUCKET)
os.environ.setdefault("IDEMPOTENCY_TABLE", "media-idempotency-test")
os.environ.setdefault("EVENTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:platform-dev-MediaEvents")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "media")

import boto3  # noqa: E402 (after the environment above)
from moto import mock_aws  # noqa: E402

from tests.templates.cfn import load_template  # noqa: E402


class Cloud:
    """The moto resources of one test, and what reached the topic."""

    def __init__(self):
        self.s3 = boto3.client("s3")
        self.sqs = boto3.client("sqs")
        self.s3.create_bucket(Bucket=BUCKET)
        table = load_template("services/media/template.yaml")["Resources"]["IdempotencyTable"]["Properties"]
        boto3.client("dynamodb").create_table(
            TableName=os.environ["IDEMPOTENCY_TABLE"],
            KeySchema=table["KeySchema"],
            AttributeDefinitions=table["AttributeDefinitions"],
            BillingMode=table["BillingMode"],
        )
        sns = boto3.client("sns")
        topic = sns.create_topic(Name="platform-dev-MediaEvents")["TopicArn"]
        assert topic == os.environ["EVENTS_TOPIC_ARN"]
        self.queue = self.sqs.create_queue(QueueName="media-events-test")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})

    def clear(self) -> None:
        """Empty the bucket, the idempotency table and the events queue: one test's data never meets another's."""
        for key in self.keys():
            self.s3.delete_object(Bucket=BUCKET, Key=key)
        dynamodb, table = boto3.client("dynamodb"), os.environ["IDEMPOTENCY_TABLE"]
        for item in dynamodb.scan(TableName=table, ProjectionExpression="id").get("Items", []):
            dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
        self.events()  # drained (PurgeQueue is allowed once a minute)

    def events(self) -> list[dict]:
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for message in got:
                out.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def keys(self, prefix: str = "") -> list[str]:
        return [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])]


@pytest.fixture(scope="module")
def moto_cloud():
    """moto for one test module (starting it and creating the resources is the slow part)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        with mock_aws():
            yield Cloud()


@pytest.fixture
def cloud(moto_cloud):
    """moto with no objects, idempotency records or events left from another test, and fresh wiring."""
    from media import wiring

    wiring.use_processor(None)
    wiring.use_uploads(None)
    yield moto_cloud
    wiring.use_processor(None)
    wiring.use_uploads(None)
    moto_cloud.clear()
