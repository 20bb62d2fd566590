"""send-welcome in process on moto: the sample stream event, replays, SES failures and rejections."""

from __future__ import annotations

import copy

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from tests.subscribers.conftest import ENV, UNSUBSCRIBE_URL, Context, sample, sent

pytestmark = pytest.mark.usefixtures("clean")


def run(event: dict) -> dict:
    from subscribers.handlers import send_welcome

    return send_welcome.handler(event, Context())


def stored(subscriber_id: str) -> dict:
    return boto3.resource("dynamodb").Table(ENV["TABLE_NAME"]).get_item(Key={"id": subscriber_id}).get("Item", {})


def subscriber_of(event: dict) -> str:
    return event["Records"][0]["dynamodb"]["NewImage"]["id"]["S"]


def test_the_sample_insert_sends_one_welcome_with_both_parts_and_the_one_click_headers():
    assert run(sample("send-welcome.json")) == {"batchItemFailures": []}
    [message] = sent()
    assert message["To"] == "reader@example.com" and message["Subject"] == "Welcome to MyBlog"
    link = f"{UNSUBSCRIBE_URL}?token={sample('unsubscribe.json')['queryStringParameters']['token']}"
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Hello Reader," in text and link in text and "Hello Reader," in html and link in html


def test_a_replayed_or_duplicated_record_sends_one_welcome():
    event = sample("send-welcome.json")
    twice = copy.deepcopy(event)
    twice["Records"].append(copy.deepcopy(event["Records"][0]) | {"eventID": "another-delivery"})
    run(event)
    run(event)
    run(twice)
    assert len(sent()) == 1


def test_a_name_with_markup_is_escaped_in_the_html_part():
    event = sample("send-welcome.json")
    event["Records"][0]["dynamodb"]["NewImage"]["name"] = {"S": "<script>x</script>"}
    run(event)
    html = sent()[0].get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


class FlakySes:
    """SES that fails `failures` times with `code`, then sends through moto."""

    def __init__(self, code: str, failures: int = 1):
        self.code, self.failures = code, failures
        self.real = boto3.client("sesv2")

    def send_email(self, **request):
        if self.failures:
            self.failures -= 1
            raise ClientError({"Error": {"Code": self.code, "Message": "injected"}}, "SendEmail")
        return self.real.send_email(**request)


def flaky(code: str, failures: int = 1) -> None:
    from subscribers import wiring
    from subscribers.dal import clients
    from subscribers.dal.mailer import SesMailer

    ses = FlakySes(code, failures)
    delivery = wiring.delivery(wiring_settings())
    delivery.mailer = SesMailer(lambda service: ses if service == "sesv2" else clients.client(service))


def wiring_settings():
    from subscribers.handlers import send_welcome

    return send_welcome.SETTINGS


def test_an_ses_failure_fails_the_record_and_the_retry_sends_it_once():
    event = sample("send-welcome.json")
    flaky("TooManyRequestsException")
    with pytest.raises(BatchProcessingError):  # every record failed: the whole batch is retried
        run(event)
    assert sent() == []
    assert run(event) == {"batchItemFailures": []}
    assert run(event) == {"batchItemFailures": []}
    assert len(sent()) == 1


def test_a_permanent_rejection_is_recorded_on_the_subscriber_and_not_retried():
    subscriber_id = subscriber_of(sample("send-welcome.json"))
    item = {"id": subscriber_id, "email": "reader@example.com", "status": "active"}
    boto3.resource("dynamodb").Table(ENV["TABLE_NAME"]).put_item(Item=item)
    flaky("MessageRejected", failures=5)
    assert run(sample("send-welcome.json")) == {"batchItemFailures": []}
    assert sent() == [] and "MessageRejected" in stored(subscriber_id)["rejected"]


def test_a_record_without_a_subscriber_fails_alone():
    event = sample("send-welcome.json")
    bad = copy.deepcopy(event["Records"][0])
    bad["dynamodb"]["NewImage"] = {"email": {"S": "x@example.com"}}
    bad["dynamodb"]["SequenceNumber"] = "111100000000000000000000"
    event["Records"].insert(0, bad)
    assert run(event) == {"batchItemFailures": [{"itemIdentifier": "111100000000000000000000"}]}
    assert len(sent()) == 1
