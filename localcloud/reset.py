"""Wipe an application's data while keeping its resources, so ids and URLs stay valid across tests."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from localcloud.model import Deployment

log = logging.getLogger("localcloud.reset")


def wipe_data(deployment: Deployment, aws: Callable[[str], Any]) -> None:
    for resource in deployment.resources:
        wipe = _WIPERS.get(resource.type)
        if wipe is None:
            continue
        try:
            wipe(aws, resource.ref, resource.properties)
        except Exception:
            log.exception("could not wipe %s", resource.address)


def _wipe_table(aws: Callable[[str], Any], name: str, props: dict) -> None:
    ddb = aws("dynamodb")
    keys = [k["AttributeName"] for k in props["KeySchema"]]
    names = {f"#k{i}": k for i, k in enumerate(keys)}
    for page in ddb.get_paginator("scan").paginate(
        TableName=name, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names
    ):
        items = page.get("Items", [])
        for start in range(0, len(items), 25):
            batch = [{"DeleteRequest": {"Key": item}} for item in items[start : start + 25]]
            ddb.batch_write_item(RequestItems={name: batch})


def _wipe_bucket(aws: Callable[[str], Any], name: str, props: dict) -> None:
    s3 = aws("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
        targets = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if targets:
            s3.delete_objects(Bucket=name, Delete={"Objects": targets, "Quiet": True})


def _wipe_queue(aws: Callable[[str], Any], url: str, props: dict) -> None:
    aws("sqs").purge_queue(QueueUrl=url)


def _wipe_users(aws: Callable[[str], Any], pool_id: str, props: dict) -> None:
    idp = aws("cognito-idp")
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pool_id):
        for user in page.get("Users", []):
            idp.admin_delete_user(UserPoolId=pool_id, Username=user["Username"])


_WIPERS: dict[str, Callable[[Callable[[str], Any], str, dict], None]] = {
    "AWS::DynamoDB::Table": _wipe_table,
    "AWS::S3::Bucket": _wipe_bucket,
    "AWS::SQS::Queue": _wipe_queue,
    "AWS::Cognito::UserPool": _wipe_users,
}
