import json

VERSION = "v1"


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"version": VERSION})}
