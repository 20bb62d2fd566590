"""S3's half of the service events: moto's EventBridge notification step, with AWS's event.

moto calls `_send_event_bridge_message` for every object created or deleted in a bucket with
EventBridgeConfiguration, from any path (PUT, POST form, copy, multipart, delete), and sends an event
of its own: one fixed id for every event, `eTag` where AWS writes `etag`, a `reason` of
"ObjectCreated" where AWS names the operation, a fixed requester. This replaces that step with the
table's builders through the emitter; other S3 event kinds keep moto's step. Install before
`moto_taps`, which wraps whatever this module leaves in place. Process-wide: the last `install` wins.
"""

from __future__ import annotations

import itertools
import random
import string
import time
from collections.abc import Callable
from typing import Any

from localcloud.service_events.model import Call

# moto's event name -> (the operation AWS reports as `reason`, deletion-type)
REASONS: dict[str, tuple[str, str | None]] = {
    "s3:ObjectCreated:Put": ("PutObject", None),
    "s3:ObjectCreated:Post": ("PostObject", None),
    "s3:ObjectCreated:Copy": ("CopyObject", None),
    "s3:ObjectCreated:CompleteMultipartUpload": ("CompleteMultipartUpload", None),
    "s3:ObjectRemoved:Delete": ("DeleteObject", "Permanently Deleted"),
    "s3:ObjectRemoved:DeleteMarkerCreated": ("DeleteObject", "Delete Marker Created"),
}
_emit: Callable[[Call], Any] | None = None
_installed = False
_sequence = itertools.count()


def install(emit: Callable[[Call], Any]) -> None:
    global _emit, _installed
    _emit = emit
    if _installed:
        return
    from moto.s3 import notifications

    original = notifications._send_event_bridge_message

    def send(account_id: str, bucket: Any, event_name: Any, key: Any) -> None:
        name = str(getattr(event_name, "value", event_name))
        emit_now = _emit
        if name not in REASONS or emit_now is None:
            original(account_id, bucket, event_name, key)
            return
        emit_now(object_call(account_id, bucket, name, key))

    notifications._send_event_bridge_message = send
    _installed = True


def object_call(account: str, bucket: Any, event_name: str, key: Any) -> Call:
    """The builder's view of one moto notification (bucket and key are moto's objects)."""
    reason, deletion_type = REASONS[event_name]
    version = getattr(key, "version_id", None)
    params: dict[str, Any] = {
        "bucket": bucket.name,
        "key": key.name,
        "size": getattr(key, "size", 0),
        "etag": str(getattr(key, "etag", "") or "").strip('"'),
        "version_id": version if version not in (None, "null") and _versioned(bucket) else None,
        "sequencer": f"{time.time_ns() + next(_sequence):018X}",
        "request_id": "".join(random.choices(string.ascii_uppercase + string.digits, k=16)),
        "requester": account,
    }
    if deletion_type is not None:
        params["deletion_type"] = deletion_type
    return Call("s3", reason, account, bucket.region_name, params)


def _versioned(bucket: Any) -> bool:
    return getattr(bucket, "versioning_status", None) in ("Enabled", "Suspended")
