"""Functions of the console fixture: an API that echoes, and consumers that log what they got."""

import json


def api(event, context):
    claims = (event["requestContext"].get("authorizer") or {}).get("claims") or {}
    print(json.dumps({"level": "INFO", "message": "api call", "path": event["path"], "user": claims.get("email")}))
    return {
        "statusCode": 201 if event["httpMethod"] == "POST" else 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"path": event["path"], "user": claims.get("email"), "items": []}),
    }


def inbox(event, context):
    failures = []
    for record in event["Records"]:
        body = json.loads(record["body"])
        keys = [r["s3"]["object"]["key"] for r in body.get("Records", [])]
        print(f"inbox got {keys}")
        if any("fail" in key for key in keys):
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def photo(event, context):
    print("photo", [r["s3"]["object"]["key"] for r in event["Records"]])
