"""Fault rules from the CLI and over the control API of a running instance: added, listed with their
hits, applied to the matching calls only, refused with a clear message when malformed, and cleared by
`faults clear` and by reset."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.support.faults import FaultInjector
from tests.support.localcloud import ROOT

pytestmark = pytest.mark.localcloud  # on the faults fixture template (tests/faults/conftest.py)


def cli(cloud, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", "faults", *args, "--state-dir", str(cloud.state_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def sqs_client(cloud, attempts: int):
    return boto3.client(
        "sqs",
        endpoint_url=cloud.endpoints["aws"],
        region_name="us-east-1",
        config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
    )


def test_the_cli_adds_lists_and_clears_rules_that_apply_to_matching_calls_only(app):
    cloud, outputs, faults = app
    queue = outputs["WorkQueue"].rsplit("/", 1)[1]
    added = cli(cloud, "add", "sqs", "--action", "SendMessage", "--resource", queue, "--count", "1")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added f") and "fails with its throttling error, 1 more times" in added.stdout

    sqs = sqs_client(cloud, 1)
    sqs.send_message(QueueUrl=outputs["MailDlq"], MessageBody="another queue: untouched")
    listed = cli(cloud, "ls")
    assert listed.returncode == 0 and f"sqs:SendMessage on {queue}" in listed.stdout
    assert "(applied 0 times)" in listed.stdout
    with pytest.raises(ClientError) as throttled:
        sqs.send_message(QueueUrl=outputs["WorkQueue"], MessageBody="throttled")
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    assert "(applied 1 times)" in cli(cloud, "ls").stdout

    cleared = cli(cloud, "clear")
    assert cleared.returncode == 0 and cleared.stdout.strip() == "cleared 1 fault rule"
    assert faults.rules() == []


def test_a_throttle_is_retried_by_the_sdk_as_one(app):
    cloud, outputs, faults = app
    rule = faults.error("sqs", action="SendMessage", resource=outputs["WorkQueue"].rsplit("/", 1)[1], count=1)
    answer = sqs_client(cloud, 2).send_message(QueueUrl=outputs["WorkDlq"], MessageBody="another queue")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0
    answer = sqs_client(cloud, 2).send_message(QueueUrl=outputs["WorkQueue"], MessageBody="after one throttle")
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1, "the SDK saw a throttle and retried it"
    assert faults.hits(rule) == 1


def test_malformed_rules_are_refused_with_the_reason(app):
    cloud, _, faults = app
    for rule, reason in [
        ({"kind": "explode"}, "kind must be one of error, crash, delay"),
        ({"service": "dynamodb", "count": 0}, "count must be ≥ 1"),
        ({"service": "dynamodb", "probability": 2}, "probability must be from 0.0 to 1.0"),
        ({"kind": "delay", "resource": "Slow"}, "a delay rule needs seconds > 0"),
        ({"service": "dynamodb", "colour": "red"}, "unknown fault rule fields: colour"),
        ({"action": "PutItem"}, "an error rule names its service"),
    ]:
        response = cloud.http.post(f"{cloud.base}/_local/control/faults", json=rule, timeout=30)
        assert response.status_code == 400 and reason in response.json()["message"], (rule, response.text)
    bad = cli(cloud, "add", "lambda", "--delay", "Slow")
    assert bad.returncode == 2 and "a delay rule needs seconds > 0" in bad.stderr
    assert faults.rules() == []


def test_a_rule_with_probability_zero_never_applies_and_reset_clears_rules(app):
    cloud, outputs, faults = app
    never = faults.error("sqs", action="SendMessage", probability=0.0)
    cloud.aws("sqs").send_message(QueueUrl=outputs["MailDlq"], MessageBody="sent")
    assert faults.hits(never) == 0
    faults.error("dynamodb")
    cloud.reset()
    assert FaultInjector(cloud).rules() == []
    assert cloud.http.delete(f"{cloud.base}/_local/control/faults/f999", timeout=30).status_code == 404


def test_an_s3_rule_names_a_bucket_and_answers_slow_down(app):
    cloud, _, faults = app
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    s3 = boto3.client("s3", endpoint_url=cloud.endpoints["aws"], region_name="us-east-1", config=config)
    s3.create_bucket(Bucket="faults-photos")
    s3.create_bucket(Bucket="faults-other")
    faults.error("s3", action="PutObject", resource="faults-photos", count=1)
    s3.put_object(Bucket="faults-other", Key="a.txt", Body=b"untouched")
    with pytest.raises(ClientError) as slowed:
        s3.put_object(Bucket="faults-photos", Key="a.txt", Body=b"refused")
    assert slowed.value.response["Error"]["Code"] == "SlowDown"
    assert slowed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert "Contents" not in s3.list_objects_v2(Bucket="faults-photos")
    s3.put_object(Bucket="faults-photos", Key="a.txt", Body=b"stored")
    assert s3.get_object(Bucket="faults-photos", Key="a.txt")["Body"].read() == b"stored"


def test_a_lambda_api_rule_throttles_invoke_as_lambda_does(app):
    cloud, _, faults = app
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    client = boto3.client("lambda", endpoint_url=cloud.endpoints["aws"], region_name="us-east-1", config=config)
    name = next(f["FunctionName"] for f in client.list_functions()["Functions"] if "Slow" in f["FunctionName"])
    rule = faults.error("lambda", action="Invoke", resource=name, count=1)
    with pytest.raises(client.exceptions.TooManyRequestsException) as throttled:
        client.invoke(FunctionName=name, Payload=b'{"Records": []}')
    assert throttled.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert client.invoke(FunctionName=name, Payload=b'{"Records": []}')["StatusCode"] == 200
    assert faults.hits(rule) == 1
