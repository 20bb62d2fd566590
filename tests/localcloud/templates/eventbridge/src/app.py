"""Functions of the EventBridge fixture: one records every event it gets, one always fails."""

import json
import os

import boto3

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["RESULTS"])
    return _table


def record(event, context):
    if isinstance(event, dict) and event.get("key"):
        key = str(event["key"])
    elif isinstance(event, dict):
        key = f"{event.get('source')}#{event.get('id')}"
    else:
        key = f"text#{event}"
    table().put_item(Item={"pk": key, "payload": json.dumps(event)})
    return {"recorded": key}


def publish(event, context):
    """Puts an event from inside a function, as application code does."""
    response = boto3.client("events").put_events(
        Entries=[
            {
                "Source": "shop",
                "DetailType": "OrderPlaced",
                "Detail": json.dumps({"id": event["id"]}),
                "EventBusName": os.environ["BUS"],
            }
        ]
    )
    return {"failed": response["FailedEntryCount"]}


def fail(event, context):
    raise RuntimeError(f"cannot handle {event.get('id')}")
