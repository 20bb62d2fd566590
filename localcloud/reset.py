"""Wipe an application's data while keeping its resources, so ids and URLs stay valid across tests.

Each wiper returns how many things it deleted, so `reset` can say exactly what went. Users are wiped
only when asked: a developer's demo login usually outlives a data reset, a test's never does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from localcloud.model import TABLE_TYPES, Deployment

log = logging.getLogger("localcloud.reset")

Aws = Callable[[str], Any]


def wipe_data(deployment: Deployment, aws: Aws, *, users: bool = True) -> dict[str, int]:
    """Delete items, objects, messages (and users if asked); returns counts by kind, e.g. {"items": 3}."""
    wiped: dict[str, int] = {}
    for resource in deployment.resources:
        entry = _WIPERS.get(resource.type)
        if entry is None or (entry[0] == "users" and not users):
            continue
        kind, wipe = entry
        try:
            wiped[kind] = wiped.get(kind, 0) + wipe(aws, resource.ref, resource.properties)
        except Exception:
            log.exception("could not wipe %s", resource.address)
    return wiped


def count_users(deployment: Deployment, aws: Aws) -> int:
    idp = aws("cognito-idp")
    total = 0
    for pool in deployment.of_type("AWS::Cognito::UserPool"):
        for page in idp.get_paginator("list_users").paginate(UserPoolId=pool.ref):
            total += len(page.get("Users", []))
    return total


def _wipe_table(aws: Aws, name: str, props: dict) -> int:
    ddb = aws("dynamodb")
    keys = [k["AttributeName"] for k in props["KeySchema"]]
    names = {f"#k{i}": k for i, k in enumerate(keys)}
    deleted = 0
    for page in ddb.get_paginator("scan").paginate(
        TableName=name, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names
    ):
        items = page.get("Items", [])
        for start in range(0, len(items), 25):
            batch = [{"DeleteRequest": {"Key": item}} for item in items[start : start + 25]]
            ddb.batch_write_item(RequestItems={name: batch})
        deleted += len(items)
    return deleted


def _wipe_bucket(aws: Aws, name: str, props: dict) -> int:
    s3 = aws("s3")
    deleted = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        versions = page.get("Versions", [])
        targets = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + page.get("DeleteMarkers", [])]
        if targets:
            s3.delete_objects(Bucket=name, Delete={"Objects": targets, "Quiet": True})
        deleted += len(versions)
    return deleted


def _wipe_queue(aws: Aws, url: str, props: dict) -> int:
    sqs = aws("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    held = sum(
        int(attributes.get(k, 0))
        for k in (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
    )
    sqs.purge_queue(QueueUrl=url)
    return held


def _wipe_users(aws: Aws, pool_id: str, props: dict) -> int:
    idp = aws("cognito-idp")
    deleted = 0
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page.get("Users", []):
            idp.admin_delete_user(UserPoolId=pool_id, Username=user["Username"])
            deleted += 1
    return deleted


_WIPERS: dict[str, tuple[str, Callable[[Aws, str, dict], int]]] = {
    **{kind: ("items", _wipe_table) for kind in TABLE_TYPES},
    "AWS::S3::Bucket": ("objects", _wipe_bucket),
    "AWS::SQS::Queue": ("messages", _wipe_queue),
    "AWS::Cognito::UserPool": ("users", _wipe_users),
}
