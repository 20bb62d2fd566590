"""Counts INSERTs seen on the Notes stream, so a test can tell whether restored items were replayed."""

import os

import boto3

COUNTS = boto3.resource("dynamodb").Table(os.environ["COUNTS"])


def count_inserts(event, context):
    inserts = sum(1 for r in event["Records"] if r["eventName"] == "INSERT")
    if inserts:
        COUNTS.update_item(
            Key={"id": "inserts"}, UpdateExpression="ADD n :n", ExpressionAttributeValues={":n": inserts}
        )
