"""Consumers for the fault-injection tests. Each side effect is idempotent (a put keyed by the message),
and each prints one line per record so the tests can count attempts."""

import json
import os
import time

import boto3
from botocore.config import Config

# one attempt: a throttle must reach the queue's retry, not be absorbed by the SDK
_NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})
_clients = {}


def _client(name):
    if name not in _clients:
        _clients[name] = boto3.client(name, config=_NO_RETRY)
    return _clients[name]


def send_mail(event, context):
    """One email per message, over SES v1 (templated) or v2 (simple: moto's SES v2 has no templates) as
    the message asks; a failed send fails that message only."""
    failures = []
    for record in event["Records"]:
        message = json.loads(record["body"])
        data = json.dumps({"name": message["name"], "ref": message["ref"]})
        try:
            if message.get("api") == "v2":
                _client("sesv2").send_email(
                    FromEmailAddress=os.environ["SENDER"],
                    Destination={"ToAddresses": [message["to"]]},
                    Content={
                        "Simple": {
                            "Subject": {"Data": f"Welcome, {message['name']}"},
                            "Body": {"Text": {"Data": f"Hello {message['name']}, this is message {message['ref']}."}},
                        }
                    },
                )
            else:
                _client("ses").send_templated_email(
                    Source=os.environ["SENDER"],
                    Destination={"ToAddresses": [message["to"]]},
                    Template=os.environ["TEMPLATE"],
                    TemplateData=data,
                )
            print(f"sent {message['ref']} receive {record['attributes']['ApproximateReceiveCount']}")
        except _client("ses").exceptions.ClientError as exc:
            print(f"failed {message['ref']}: {exc.response['Error']['Code']}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


# made at init, so an invocation's time goes to its records
_PROCESSED = boto3.resource("dynamodb").Table(os.environ["PROCESSED"]) if "PROCESSED" in os.environ else None


def _processed(record_id, source):
    _PROCESSED.put_item(Item={"id": record_id, "source": source})


def work(event, context):
    """A slow batch: 0.1 s per message, each recorded as processed once it is done."""
    for record in event["Records"]:
        time.sleep(0.1)
        _processed(record["body"], "work")
        print(f"processed {record['body']} receive {record['attributes']['ApproximateReceiveCount']}", flush=True)
    return {"batchItemFailures": []}


def slow(event, context):
    """A stream consumer: records each job as processed."""
    for record in event["Records"]:
        job = record["dynamodb"]["Keys"]["id"]["S"]
        _processed(job, "slow")
        print(f"processed {job}")
