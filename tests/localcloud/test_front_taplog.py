"""The tap log (messages crossing SNS, SQS, Kinesis, EventBridge, SES) and IAM checks on non-S3 services."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import requests
from botocore.exceptions import ClientError

from tests.localcloud.test_front_support import (
    credentials_for,
    make_identity_stack,
    served,  # noqa: F401 - fixture
)


@pytest.fixture(autouse=True)
def clean_log(served):  # noqa: F811
    served.events.clear()


def entries(served, channel):  # noqa: F811
    return [e for e in served.events.entries() if e["channel"] == channel]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_sns_publish_and_batch(served):  # noqa: F811
    sns = served.aws("sns")
    topic = sns.create_topic(Name=unique("events"))["TopicArn"]
    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"type": "PostPublished", "data": {"id": "p1"}}),
        Subject="hello",
        MessageAttributes={"type": {"DataType": "String", "StringValue": "PostPublished"}},
    )
    sns.publish_batch(
        TopicArn=topic,
        PublishBatchRequestEntries=[{"Id": "1", "Message": "plain text"}, {"Id": "2", "Message": '{"n": 2}'}],
    )

    logged = entries(served, "sns")
    assert [(e["kind"], e["name"]) for e in logged] == [
        ("Publish", topic),
        ("PublishBatch", topic),
        ("PublishBatch", topic),
    ]
    assert logged[0]["body"] == {"type": "PostPublished", "data": {"id": "p1"}}
    assert logged[0]["subject"] == "hello"
    assert logged[0]["attributes"]["type"]["StringValue"] == "PostPublished"
    assert [e["body"] for e in logged[1:]] == ["plain text", {"n": 2}]


def test_sqs_json_protocol_send_and_batch(served):  # noqa: F811
    sqs = served.aws("sqs")
    name = unique("jobs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(
        QueueUrl=url, MessageBody='{"job": 1}', MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "y"}])

    logged = entries(served, "sqs")
    assert [e["name"] for e in logged] == [f"arn:aws:sqs:us-east-1:123456789012:{name}"] * 3
    assert [e["body"] for e in logged] == [{"job": 1}, "x", "y"]
    assert logged[0]["attributes"] == {"k": {"DataType": "String", "StringValue": "v"}}
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 3  # forwarded intact


def test_sqs_query_protocol_is_tapped_and_still_delivered(served):  # noqa: F811
    sqs = served.aws("sqs")
    name = unique("legacy")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    auth = "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"
    form = {
        "Action": "SendMessageBatch",
        "QueueUrl": url,
        "SendMessageBatchRequestEntry.1.Id": "one",
        "SendMessageBatchRequestEntry.1.MessageBody": "first",
        "SendMessageBatchRequestEntry.2.Id": "two",
        "SendMessageBatchRequestEntry.2.MessageBody": '{"second": true}',
    }
    response = requests.post(served.url + "/", data=form, headers={"Authorization": auth}, timeout=5)

    assert response.status_code == 200
    assert [e["body"] for e in entries(served, "sqs")] == ["first", {"second": True}]
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 2


def test_kinesis_records_are_decoded(served):  # noqa: F811
    kinesis = served.aws("kinesis")
    stream = unique("views")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    kinesis.put_record(StreamName=stream, Data=json.dumps({"path": "/a"}).encode(), PartitionKey="a")
    kinesis.put_records(
        StreamName=stream,
        Records=[{"Data": b"plain", "PartitionKey": "b"}, {"Data": b"\xff\x00", "PartitionKey": "c"}],
    )

    logged = entries(served, "kinesis")
    assert [(e["kind"], e["name"], e["partition_key"]) for e in logged] == [
        ("PutRecord", stream, "a"),
        ("PutRecords", stream, "b"),
        ("PutRecords", stream, "c"),
    ]
    assert logged[0]["body"] == {"path": "/a"}
    assert logged[1]["body"] == "plain"
    assert (logged[2]["body"], logged[2]["encoding"]) == (base64.b64encode(b"\xff\x00").decode(), "base64")


def test_eventbridge_put_events(served):  # noqa: F811
    served.aws("events").put_events(
        Entries=[{"Source": "blog", "DetailType": "PostPublished", "Detail": json.dumps({"id": "p1"})}]
    )

    put, dropped = entries(served, "events")
    assert (put["kind"], put["name"], put["source"], put["detail_type"], put["body"]) == (
        "PutEvents",
        "default",
        "blog",
        "PostPublished",
        {"id": "p1"},
    )
    # This bare front runs no buses, so the event is dropped, and the tap log says so rather than hide it.
    assert (dropped["kind"], dropped["name"], dropped["note"]) == ("dropped", "default", "localcloud was still starting")


def test_ses_v1_and_v2_emails(served):  # noqa: F811
    sender = f"{unique('noreply')}@example.com"
    served.aws("ses").verify_email_identity(EmailAddress=sender)
    served.aws("ses").send_email(
        Source=sender,
        Destination={"ToAddresses": ["reader@example.com"]},
        Message={"Subject": {"Data": "Welcome"}, "Body": {"Text": {"Data": "Hi there"}}},
    )
    raw = f"From: {sender}\nTo: raw@example.com\nSubject: Raw one\n\nRaw body\n"
    served.aws("ses").send_raw_email(Source=sender, RawMessage={"Data": raw.encode()})
    served.aws("sesv2").send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": ["v2@example.com"]},
        Content={"Simple": {"Subject": {"Data": "New post"}, "Body": {"Html": {"Data": "<p>hi</p>"}}}},
    )

    logged = entries(served, "ses")
    assert [(e["kind"], e["name"]) for e in logged] == [
        ("SendEmail", sender),
        ("SendRawEmail", sender),
        ("SendEmail", sender),
    ]
    assert logged[0]["body"] == {"from": sender, "to": ["reader@example.com"], "subject": "Welcome", "text": "Hi there"}
    assert (logged[1]["body"]["subject"], logged[1]["body"]["text"].strip()) == ("Raw one", "Raw body")
    assert logged[2]["body"] == {"from": sender, "to": ["v2@example.com"], "subject": "New post", "html": "<p>hi</p>"}


def test_issued_credentials_on_other_services_follow_the_role_policy(served):  # noqa: F811
    stack = make_identity_stack(served)
    sqs = served.aws("sqs")
    allowed_name, other_name = unique("mine"), unique("theirs")
    allowed_url = sqs.create_queue(QueueName=allowed_name)["QueueUrl"]
    other_url = sqs.create_queue(QueueName=other_name)["QueueUrl"]
    served.aws("iam").put_role_policy(
        RoleName=stack.role_name,
        PolicyName="send",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sqs:SendMessage",
                        "Resource": f"arn:aws:sqs:us-east-1:123456789012:{allowed_name}",
                    }
                ],
            }
        ),
    )
    topic = served.aws("sns").create_topic(Name=unique("t"))["TopicArn"]
    _, creds = credentials_for(served, stack, "ann@example.com")
    user_sqs = served.user_client("sqs", creds)

    user_sqs.send_message(QueueUrl=allowed_url, MessageBody="ok")
    with pytest.raises(ClientError) as excinfo:
        user_sqs.send_message(QueueUrl=other_url, MessageBody="nope")
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(ClientError) as excinfo:
        served.user_client("sns", creds).publish(TopicArn=topic, Message="nope")
    assert excinfo.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as excinfo:
        served.user_client("dynamodb", creds).list_tables()
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"
    assert [e["body"] for e in entries(served, "sqs")] == ["ok"]
    assert "nope" not in json.dumps(served.events.entries())
