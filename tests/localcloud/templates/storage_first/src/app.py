"""Records each page view the stream delivers, by sequence number, with the payload as the API posted it."""

import base64
import os

import boto3

_table = None


def views_seen():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["VIEWS_SEEN"])
    return _table


def handler(event, context):
    for record in event["Records"]:
        kinesis = record["kinesis"]
        payload = base64.b64decode(kinesis["data"]).decode()
        views_seen().put_item(
            Item={"sequence": kinesis["sequenceNumber"], "payload": payload, "source": record["eventSourceARN"]}
        )
