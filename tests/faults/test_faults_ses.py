"""An SES failure loses no email: a throttled send (SES v1's query-protocol `Throttling`, SES v2's
REST-JSON `TooManyRequestsException`) fails that one message, the queue redelivers it and the email ends
in the outbox exactly once; a permanent failure (`MessageRejected`) ends in the DLQ after maxReceiveCount."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

from tests.faults.conftest import drain, log_lines

pytestmark = pytest.mark.localcloud  # on the faults fixture template (tests/faults/conftest.py)


def send(cloud, outputs, *refs: str, api: str = "v1") -> None:
    cloud.aws("sqs").send_message_batch(
        QueueUrl=outputs["MailQueue"],
        Entries=[
            {"Id": ref, "MessageBody": json.dumps({"to": f"{ref}@example.org", "name": ref, "ref": ref, "api": api})}
            for ref in refs
        ],
    )


def outbox(cloud) -> list[dict]:
    return cloud.http.get(f"{cloud.base}/_local/api/outbox", timeout=30).json()


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_throttled_send_is_retried_by_the_queue_and_sent_exactly_once(app, api):
    cloud, outputs, faults = app
    action = "SendEmail" if api == "v2" else "SendTemplatedEmail"
    rule = faults.error("ses", action=action, count=1)

    send(cloud, outputs, "ann", "bob", "cy", api=api)
    assert cloud.wait_idle(30)

    assert faults.hits(rule) == 1
    mails = outbox(cloud)
    assert sorted(to for mail in mails for to in mail["to"]) == ["ann@example.org", "bob@example.org", "cy@example.org"]
    failed = log_lines(cloud, "Mailer", "failed ")
    code = "TooManyRequestsException" if api == "v2" else "Throttling"
    assert len(failed) == 1 and failed[0].endswith(f": {code}")
    retried = failed[0].split()[1].rstrip(":")
    assert f"sent {retried} receive 2" in log_lines(cloud, "Mailer", "sent "), "redelivered by the queue"
    assert next(m for m in mails if m["to"] == [f"{retried}@example.org"])["subject"] == f"Welcome, {retried}"
    assert drain(cloud, outputs["MailDlq"]) == []


def test_a_permanent_failure_ends_in_the_dlq_and_nothing_else_is_lost(app):
    cloud, outputs, faults = app
    faults.error("ses", action="SendTemplatedEmail", resource="news@example.com", error="MessageRejected")

    send(cloud, outputs, "ann", "bob")
    assert cloud.wait_idle(30)

    assert outbox(cloud) == []
    dead = drain(cloud, outputs["MailDlq"])
    assert sorted(json.loads(m["Body"])["ref"] for m in dead) == ["ann", "bob"]
    assert len(log_lines(cloud, "Mailer", "failed ")) == 4, "each message tried maxReceiveCount (2) times"


def test_the_injected_errors_are_the_ones_ses_sends(app):
    """What a client sees: SES v1's query-protocol error and SES v2's REST-JSON one, with their statuses."""
    cloud, _, faults = app
    no_retry = Config(retries={"mode": "standard", "total_max_attempts": 1})
    kwargs = {"endpoint_url": cloud.endpoints["aws"], "region_name": "us-east-1", "config": no_retry}
    faults.error("ses", action="SendEmail")
    v1, v2 = boto3.client("ses", **kwargs), boto3.client("sesv2", **kwargs)
    mail = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}}

    with pytest.raises(v1.exceptions.ClientError) as throttled_v1:
        v1.send_email(Source="news@example.com", Destination={"ToAddresses": ["a@example.org"]}, Message=mail)
    with pytest.raises(v2.exceptions.TooManyRequestsException) as throttled_v2:
        v2.send_email(
            FromEmailAddress="news@example.com",
            Destination={"ToAddresses": ["a@example.org"]},
            Content={"Simple": mail},
        )

    assert throttled_v1.value.response["Error"] == {
        "Type": "Sender",
        "Code": "Throttling",
        "Message": "Maximum sending rate exceeded.",
    }
    assert throttled_v1.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert throttled_v2.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert outbox(cloud) == []
