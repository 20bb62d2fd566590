"""Answers who called and which invocation of this worker answered (to tell cache hits from misses)."""

import json
import os

invocations = 0


def handler(event, context):
    global invocations
    invocations += 1
    sub = event["requestContext"]["authorizer"]["claims"]["sub"]
    return {"statusCode": 200, "body": json.dumps({"sub": sub, "pid": os.getpid(), "invocation": invocations})}


def news(event, context):
    global invocations
    invocations += 1
    return {
        "statusCode": 200,
        "body": json.dumps({"path": event["path"], "pid": os.getpid(), "invocation": invocations}),
    }
