"""Echoes what API Gateway says about the caller: the identity (REST) or the IAM authorizer (HTTP API)."""

import json


def handler(event, context):
    request = event["requestContext"]
    seen = {"identity": request.get("identity"), "authorizer": request.get("authorizer")}
    return {"statusCode": 200, "body": json.dumps(seen)}
