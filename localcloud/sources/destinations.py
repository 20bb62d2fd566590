"""Where failed (or, for async, successful) invocations are reported: SQS, SNS, Lambda or EventBridge.

Sending never raises: a destination that cannot be reached is itself logged loudly in the event log,
with the payload, so nothing disappears silently.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from localcloud.model import EventLog

from .config import arn_name

log = logging.getLogger("localcloud.sources")


class Destinations:
    def __init__(self, aws: Callable[[str], Any], events: EventLog, invoke_async: Callable[[str, str], Any]):
        """`invoke_async(function_arn, payload_text)` invokes a destination function asynchronously."""
        self._aws = aws
        self._events = events
        self._invoke_async = invoke_async
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._aws(service)
            return self._clients[service]

    def send(
        self,
        arn: str,
        payload: dict,
        *,
        channel: str,
        kind: str,
        attributes: dict[str, str] | None = None,
        **extra: Any,
    ) -> bool:
        """Deliver `payload` to the destination `arn`; record it in the event log either way."""
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        body = json.dumps(payload, default=str)
        try:
            if service == "sqs":
                self._to_queue(arn, body, attributes or {})
            elif service == "sns":
                self._to_topic(arn, body, attributes or {})
            elif service == "lambda":
                self._invoke_async(arn, body)
            elif service == "events":
                self._to_bus(arn, body, kind)
            elif service == "s3":
                self.client("s3").put_object(Bucket=arn_name(arn), Key=f"aws/lambda/{uuid.uuid4()}", Body=body)
            else:
                raise ValueError(f"unsupported destination {arn!r}")
        except Exception as exc:
            log.error("%s: could not send %s to %s: %s", extra.get("source"), kind, arn, exc)
            self._events.record(
                channel, "destination-error", arn_name(arn) or arn, payload, destination=arn, error=str(exc), **extra
            )
            return False
        self._events.record(channel, kind, arn_name(arn), payload, destination=arn, **extra)
        return True

    def _to_queue(self, arn: str, body: str, attributes: dict[str, str]) -> None:
        sqs = self.client("sqs")
        url = sqs.get_queue_url(QueueName=arn_name(arn))["QueueUrl"]
        params: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
        if attributes:
            params["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v
            }
        if arn.endswith(".fifo"):
            params["MessageGroupId"] = "localcloud"
            params["MessageDeduplicationId"] = uuid.uuid4().hex
        sqs.send_message(**params)

    def _to_topic(self, arn: str, body: str, attributes: dict[str, str]) -> None:
        params: dict[str, Any] = {"TopicArn": arn, "Message": body}
        if attributes:
            params["MessageAttributes"] = {
                k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v
            }
        self.client("sns").publish(**params)

    def _to_bus(self, arn: str, body: str, kind: str) -> None:
        detail_type = "Lambda Function Invocation Result - " + ("Success" if kind == "on-success" else "Failure")
        self.client("events").put_events(
            Entries=[{"Source": "lambda", "DetailType": detail_type, "Detail": body, "EventBusName": arn}]
        )
