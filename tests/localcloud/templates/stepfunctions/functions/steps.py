"""Task functions for the state machine fixture."""

import os

import boto3


def price(event, context):
    return {"sku": event["sku"], "total": event["quantity"] * 3}


class Unavailable(Exception):
    """The charge service is down (the state machine retries it)."""


Unavailable.__name__ = "Charge.Unavailable"


def flaky(event, context):
    """Fails the first two attempts for an order, succeeds on the third."""
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    counted = table.update_item(
        Key={"id": f"attempts#{event['order']}"},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": 1},
        ReturnValues="UPDATED_NEW",
    )
    attempts = int(counted["Attributes"]["n"])
    if attempts < 3:
        raise Unavailable(f"attempt {attempts}")
    return {"attempts": attempts}
