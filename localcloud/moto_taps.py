"""Record the messages moto moves by itself, which never cross the front's tap (`front/taplog`).

The front records what a client sends: Publish, SendMessage, PutRecord. moto then moves messages on
inside its own process. An S3 write notifies a queue or a topic (`moto.s3.notifications`), a topic
delivers to its SQS subscriptions (our S3/SNS → Lambda fan-in rides on both), and a table write appends
a stream record. None of these is an HTTP request, so the event log stayed empty after an S3 write.
These wrappers record each hop as moto makes it, in the same EventLog:

- `s3`, kind = the S3 event (`ObjectCreated:Put`), name = the bucket, `key` = the object key (decoded),
  `target` = queue, topic or bus;
  a target that does not exist is recorded with an `error` (moto drops such messages silently);
- `sns`, kind `fan-out`, name = the topic ARN, `target` = the subscribed queue (filtered-out
  messages are not delivered, so not recorded);
- `dynamodb`, kind = the record's eventName (INSERT/MODIFY/REMOVE), name = the table.

S3's `s3:TestEvent` (sent when a notification configuration is written, i.e. at every start and reset)
is provisioning noise and is not recorded. moto's patches are process-wide: the last `install` wins.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from localcloud.model import EventLog

log = logging.getLogger("localcloud.moto_taps")
_sink: EventLog | None = None
_fan_out = threading.local()
_installed = False


def install(events: EventLog) -> None:
    """Send moto's own message hops to `events` from now on."""
    global _sink, _installed
    _sink = events
    if _installed:
        return
    _tap_s3_notifications()
    _tap_sns_fan_out()
    _tap_dynamodb_streams()
    _installed = True


def _record(channel: str, kind: str, name: str, body: Any, **extra: Any) -> None:
    sink = _sink
    if sink is None:
        return
    try:
        sink.record(channel, kind, name, body, direction="internal", **extra)
    except Exception:  # recording must never break moto's own delivery
        log.exception("could not record a %s %s in the event log", channel, kind)


# S3 notifications --------------------------------------------------------------------------------


def _tap_s3_notifications() -> None:
    from moto.s3 import notifications

    def tapped(original: Callable, target_kind: str, exists: Callable[[str, str, str], bool]) -> Callable:
        @functools.wraps(original)
        def send(account_id: str, event_body: Any, target: str, region_name: str) -> None:
            original(account_id, event_body, target, region_name)
            if not isinstance(event_body, dict) or event_body.get("Event") == "s3:TestEvent":
                return
            records = event_body.get("Records") or [{}]
            s3 = records[0].get("s3") or {}
            extra: dict[str, Any] = {"target": target, "target_kind": target_kind}
            if not exists(account_id, region_name, target):
                extra["error"] = f"{target_kind} {target} does not exist: S3 dropped the notification"
            _record(
                "s3",
                str(records[0].get("eventName") or "notification"),
                str((s3.get("bucket") or {}).get("name") or ""),
                event_body,
                key=unquote_plus(str((s3.get("object") or {}).get("key") or "")),  # moto writes / as %2F
                **extra,
            )

        return send

    notifications._send_sqs_message = tapped(notifications._send_sqs_message, "queue", _queue_exists)
    notifications._send_sns_message = tapped(notifications._send_sns_message, "topic", _topic_exists)
    notifications._invoke_awslambda = tapped(notifications._invoke_awslambda, "function", lambda *_: True)
    original_bus = notifications._send_event_bridge_message

    @functools.wraps(original_bus)
    def send_to_bus(account_id: str, bucket: Any, event_name: str, key: Any) -> None:
        original_bus(account_id, bucket, event_name, key)
        body = {"bucket": bucket.name, "key": key.name, "event": str(event_name)}
        _record("s3", str(event_name).removeprefix("s3:"), bucket.name, body, key=key.name, target="EventBridge")

    notifications._send_event_bridge_message = send_to_bus


def _queue_exists(account_id: str, region: str, name: str) -> bool:
    from moto.sqs.models import sqs_backends

    return name in sqs_backends[account_id][region].queues


def _topic_exists(account_id: str, region: str, arn: str) -> bool:
    from moto.sns.models import sns_backends

    return arn in sns_backends[account_id][region].topics


# SNS → SQS ---------------------------------------------------------------------------------------


def _tap_sns_fan_out() -> None:
    from moto.sns.models import Subscription
    from moto.sqs.models import SQSBackend

    original_publish = Subscription.publish
    original_send = SQSBackend.send_message

    @functools.wraps(original_publish)
    def publish(self, *args: Any, **kwargs: Any) -> Any:
        _fan_out.subscription = self
        try:
            return original_publish(self, *args, **kwargs)
        finally:
            _fan_out.subscription = None

    @functools.wraps(original_send)
    def send_message(self, queue_name: str, message_body: str, *args: Any, **kwargs: Any) -> Any:
        message = original_send(self, queue_name, message_body, *args, **kwargs)
        subscription = getattr(_fan_out, "subscription", None)
        if subscription is not None:
            _record(
                "sns",
                "fan-out",
                subscription.topic.arn,
                _decoded(message_body),
                target=queue_name,
                subscription=subscription.arn,
                message_id=getattr(message, "id", None),
            )
        return message

    Subscription.publish = publish
    SQSBackend.send_message = send_message


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


# DynamoDB streams --------------------------------------------------------------------------------


def _tap_dynamodb_streams() -> None:
    from moto.dynamodb.models.table import StreamShard

    original_add = StreamShard.add

    @functools.wraps(original_add)
    def add(self, old: Any, new: Any) -> None:
        original_add(self, old, new)
        if not self.items:
            return
        record = self.items[-1].record
        change = dict(record.get("dynamodb") or {})
        created = change.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            change["ApproximateCreationDateTime"] = created.timestamp()
        _record("dynamodb", str(record.get("eventName")), self.table.name, {**record, "dynamodb": change})

    StreamShard.add = add
