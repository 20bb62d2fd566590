"""Functions behind the edge tests: an API, a Lambda@Edge gate and an origin-response stamp."""

import json

ORIGIN_RESPONSES = 0


def api(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps({"path": event["path"], "query": event.get("queryStringParameters")}),
    }


def gate(event, context):
    """viewer-request: only a request with the right token passes."""
    request = event["Records"][0]["cf"]["request"]
    token = request["headers"].get("authorization", [{}])[0].get("value")
    if token != "Bearer let-me-in":
        return {"status": "401", "statusDescription": "Unauthorized", "body": "no entry"}
    return request


def stamp(event, context):
    """origin-response: counts the times it runs (misses only) and says so in a header."""
    global ORIGIN_RESPONSES
    ORIGIN_RESPONSES += 1
    response = event["Records"][0]["cf"]["response"]
    response["headers"]["x-origin-response-runs"] = [{"key": "X-Origin-Response-Runs", "value": str(ORIGIN_RESPONSES)}]
    return response
