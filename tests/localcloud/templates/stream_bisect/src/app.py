"""All or nothing per batch: a batch holding a poison item fails before anything is recorded, so good items
are recorded only once bisection has split the poison off."""

import os

import boto3

_table = None


def processed():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["PROCESSED"])
    return _table


def handler(event, context):
    ids = [record["dynamodb"]["Keys"]["id"]["S"] for record in event["Records"]]
    print(f"batch {ids}")
    if any(item_id.startswith("poison") for item_id in ids):
        raise ValueError(f"cannot process {ids}")
    with processed().batch_writer() as batch:
        for item_id in ids:
            batch.put_item(Item={"id": item_id})
