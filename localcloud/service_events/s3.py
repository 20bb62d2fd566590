"""Amazon S3 events to EventBridge ("Object Created", "Object Deleted"), for buckets whose
NotificationConfiguration has EventBridgeConfiguration.

The call's action is the API operation that changed the object, which AWS reports as the detail's
`reason`. `params` hold what S3 knew of the object and the request: bucket, key, size, etag,
version_id (versioned buckets only), sequencer, request_id, requester and source_ip; a deletion also
has deletion_type ("Permanently Deleted" or "Delete Marker Created").
"""

from __future__ import annotations

from typing import Any

from localcloud.service_events.model import Call, Change

SOURCE = "aws.s3"
CREATED = ("PutObject", "PostObject", "CopyObject", "CompleteMultipartUpload")
DELETED = ("DeleteObject", "DeleteObjects")


def object_created(call: Call) -> list[Change]:
    params = call.params
    item: dict[str, Any] = {"key": params["key"], "size": int(params.get("size") or 0), "etag": params.get("etag", "")}
    return [_change(call, "Object Created", item, {})]


def object_deleted(call: Call) -> list[Change]:
    extra = {"deletion-type": call.params.get("deletion_type") or "Permanently Deleted"}
    return [_change(call, "Object Deleted", {"key": call.params["key"]}, extra)]


def _change(call: Call, detail_type: str, item: dict[str, Any], extra: dict[str, Any]) -> Change:
    params = call.params
    if params.get("version_id"):
        item["version-id"] = params["version_id"]
    item["sequencer"] = params.get("sequencer", "")
    detail = {
        "version": "0",
        "bucket": {"name": params["bucket"]},
        "object": item,
        "request-id": params.get("request_id", ""),
        "requester": params.get("requester") or call.account,
        "source-ip-address": params.get("source_ip", "127.0.0.1"),
        "reason": call.action,
        **extra,
    }
    return Change(SOURCE, detail_type, [f"arn:aws:s3:::{params['bucket']}"], detail)
