"""Counts the posts stream's records per slug and event name, one atomic update per record."""

import os

import boto3

_table = None


def counters():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["COUNTERS"])
    return _table


def handler(event, context):
    for record in event["Records"]:
        slug = record["dynamodb"]["Keys"]["slug"]["S"]
        counters().update_item(
            Key={"slug": slug},
            UpdateExpression="ADD #n :one",
            ExpressionAttributeNames={"#n": record["eventName"]},
            ExpressionAttributeValues={":one": 1},
        )
