"""The blog's view counter, shaped as aggregate-views: one atomic ADD per slug per batch; a record that
is not a view fails the batch, which the mapping bisects down to it and sends to the on-failure queue."""

import base64
import json
import os
from collections import Counter

import boto3

_table = None


def counts():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["VIEW_COUNTS"])
    return _table


def aggregate(event, context):
    views = Counter(json.loads(base64.b64decode(r["kinesis"]["data"]))["slug"] for r in event["Records"])
    for slug, n in views.items():
        counts().update_item(
            Key={"slug": slug}, UpdateExpression="ADD #v :n", ExpressionAttributeNames={"#v": "views"},
            ExpressionAttributeValues={":n": n},
        )  # fmt: skip


def read(event, context):
    slug = event["pathParameters"]["slug"]
    item = counts().get_item(Key={"slug": slug}).get("Item") or {}
    return {"statusCode": 200, "body": json.dumps({"slug": slug, "views": int(item.get("views", 0))})}
