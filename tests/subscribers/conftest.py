"""Fixtures for the subscribers tests: moto tables, secret, queue and SES made from the template, and the
handlers called in process with the sample events under events/subscribers/."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
SAMPLE_KEY = "sample-token-key-of-at-least-16-bytes"  # the key the sample events' tokens were made with
SITE_URL = "https://blog.example.com"  # what the blog's SSM parameters hold here
BLOG_API_URL = "https://blog-api.example.com/api"
UNSUBSCRIBE_URL = f"{SITE_URL}/api/subscribers/unsubscribe"
ENV = {
    "TABLE_NAME": "subscribers-test",
    "STATUS_INDEX": "byStatus",
    "TOKEN_KEY_SECRET": "subscribers-token-key-test",
    "IDEMPOTENCY_TABLE": "subscribers-idempotency-test",
    "SEND_QUEUE_URL": "",  # set once the queue exists
    "SENDER": "no-reply@example.com",
    "SITE_NAME": "MyBlog",
    "SITE_URL_PARAMETER": "/platform/test/blog/SiteUrl",
    "BLOG_API_URL_PARAMETER": "/platform/test/blog/ApiUrl",
    "MAX_SEND_RATE": "1000",
    "SEND_CONCURRENCY": "1",
    "POWERTOOLS_SERVICE_NAME": "subscribers",
}
for _name, _value in ENV.items():
    os.environ.setdefault(_name, _value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from tests.templates.cfn import load_template  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "subscribers"
TEMPLATE = "services/subscribers/template.yaml"


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def table_definition(logical_id: str, name: str) -> dict:
    props = load_template(TEMPLATE)["Resources"][logical_id]["Properties"]
    definition = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }
    if "GlobalSecondaryIndexes" in props:
        definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    return definition


class Context:
    function_name = "subscribers-test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:subscribers-test"
    aws_request_id = "c0ffee00-0000-4000-8000-000000000000"

    def __init__(self, seconds_left: float = 60):
        self.seconds_left = seconds_left

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds_left * 1000)


@pytest.fixture(scope="module")
def aws():
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        # Other services' conftests set the same names (TABLE_NAME, POWERTOOLS_SERVICE_NAME) when the whole
        # suite is collected: the handlers, imported inside the tests, must read this service's values.
        for name, value in ENV.items():
            patch.setenv(name, value)
        with mock_aws():
            dynamodb = boto3.client("dynamodb")
            dynamodb.create_table(**table_definition("SubscribersTable", ENV["TABLE_NAME"]))
            dynamodb.create_table(**table_definition("IdempotencyTable", ENV["IDEMPOTENCY_TABLE"]))
            boto3.client("secretsmanager").create_secret(Name=ENV["TOKEN_KEY_SECRET"], SecretString=SAMPLE_KEY)
            boto3.client("ses").verify_email_identity(EmailAddress=ENV["SENDER"])
            ssm = boto3.client("ssm")
            ssm.put_parameter(Name=ENV["SITE_URL_PARAMETER"], Value=SITE_URL, Type="String")
            ssm.put_parameter(Name=ENV["BLOG_API_URL_PARAMETER"], Value=BLOG_API_URL, Type="String")
            queue = boto3.client("sqs").create_queue(QueueName="subscribers-send-test")["QueueUrl"]
            patch.setenv("SEND_QUEUE_URL", queue)
            yield
            from subscribers import wiring

            for name in (
                "tokens",
                "store",
                "subscriptions",
                "blog_urls",
                "delivery",
                "paced_delivery",
                "fanout",
                "posts",
                "welcome_once",
                "post_email_once",
            ):
                wiring.use(name, None)


@pytest.fixture
def clean(aws):
    """Empty tables, queue and outbox before each test; the wiring rebuilt so fakes do not leak."""
    from moto.ses.models import ses_backends
    from subscribers import wiring

    dynamodb = boto3.client("dynamodb")
    for table in (ENV["TABLE_NAME"], ENV["IDEMPOTENCY_TABLE"]):
        for item in dynamodb.scan(TableName=table, ProjectionExpression="id")["Items"]:
            dynamodb.delete_item(TableName=table, Key={"id": item["id"]})
    drain()
    ses_backends["123456789012"]["us-east-1"].sent_messages.clear()
    for name in ("delivery", "paced_delivery", "fanout", "posts", "welcome_once", "post_email_once"):
        wiring.use(name, None)
    yield


def sent() -> list:
    """Every email moto's SES accepted, as parsed MIME messages."""
    import email
    import email.policy

    from moto.ses.models import ses_backends

    return [
        email.message_from_string(m.raw_data, policy=email.policy.default)
        for m in ses_backends["123456789012"]["us-east-1"].sent_messages
    ]


def drain() -> list[dict]:
    """Take every message off the send queue (as SQS event records), deleting them."""
    sqs = boto3.client("sqs")
    records = []
    while True:
        got = sqs.receive_message(QueueUrl=os.environ["SEND_QUEUE_URL"], MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return records
        for message in got:
            sqs.delete_message(QueueUrl=os.environ["SEND_QUEUE_URL"], ReceiptHandle=message["ReceiptHandle"])
            records.append({"messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"],
                            "body": message["Body"], "attributes": {"ApproximateReceiveCount": "1"},
                            "messageAttributes": {}, "eventSource": "aws:sqs",
                            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:subscribers-send-test",
                            "awsRegion": "us-east-1"})  # fmt: skip
