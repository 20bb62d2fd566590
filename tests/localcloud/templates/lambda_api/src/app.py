"""Functions for the Lambda API fixture: what the Lambda API tests invoke from outside and inside."""

import json
import os
import time

import boto3

_lambda = None


def echo(event, context):
    print(f"echo {json.dumps(event)}")
    return {
        "event": event,
        "invokedArn": context.invoked_function_arn,
        "requestId": context.aws_request_id,
        "greeting": os.environ["GREETING"],
    }


def call_echo(event, context):
    """Invokes Echo through the Lambda API, as boto3 inside a function reaches it (AWS_ENDPOINT_URL)."""
    global _lambda
    if _lambda is None:
        _lambda = boto3.client("lambda")
    answer = _lambda.invoke(FunctionName=os.environ["ECHO_NAME"], Payload=json.dumps({"from": "caller", **event}))
    return {"status": answer["StatusCode"], "echo": json.loads(answer["Payload"].read())}


class WorkFailed(Exception):
    """The work asked to fail."""


def work(event, context):
    print(f"work {event.get('id')}")
    if event.get("fail"):
        raise WorkFailed(f"work {event.get('id')} failed")
    if "seconds" in event:
        started = time.time()
        time.sleep(event["seconds"])
        return {"done": event.get("id"), "started": started, "ended": time.time()}
    return {"done": event.get("id")}


def slow(event, context):
    """Sleeps `seconds` (one reserved concurrent execution); behind its IAM Function URL, says who called."""
    if "requestContext" in event:
        return {"statusCode": 200, "body": json.dumps({"caller": event["requestContext"].get("authorizer")})}
    time.sleep(float(event.get("seconds", 0)))
    return {"slept": event.get("seconds", 0), "id": event.get("id")}
