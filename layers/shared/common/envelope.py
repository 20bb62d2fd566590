"""The cross-service event envelope `{id, type, version, time, source, data}` and its publisher.

Every message between services has this shape (schemas under events/schemas/). The publisher carries
the correlation id and the X-Ray trace header as message attributes, so a consumer's logs join the
producer's.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from common.ulids import new_ulid

ENVELOPE_KEYS = ("id", "type", "version", "time", "source", "data")


def make_envelope(type_: str, data: dict, *, source: str, version: int = 1) -> dict:
    return {
        "id": new_ulid(),
        "type": type_,
        "version": version,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "source": source,
        "data": data,
    }


def _attributes(envelope: dict, correlation_id: str | None) -> dict[str, dict[str, str]]:
    attributes = {"type": {"DataType": "String", "StringValue": envelope["type"]}}
    if correlation_id:
        attributes["correlation_id"] = {"DataType": "String", "StringValue": correlation_id}
    trace = os.environ.get("_X_AMZN_TRACE_ID")
    if trace:
        attributes["trace_header"] = {"DataType": "String", "StringValue": trace}
    return attributes


class Publisher:
    """Sends envelopes to an SNS topic or an SQS queue; the boto3 client is created lazily, once."""

    def __init__(self, *, source: str, topic_arn: str | None = None, queue_url: str | None = None, client: Any = None):
        if bool(topic_arn) == bool(queue_url):
            raise ValueError("give exactly one of topic_arn or queue_url")
        self.source = source
        self.topic_arn = topic_arn
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client("sns" if self.topic_arn else "sqs")
        return self._client

    def publish(self, type_: str, data: dict, *, correlation_id: str | None = None, version: int = 1) -> dict:
        envelope = make_envelope(type_, data, source=self.source, version=version)
        body = json.dumps(envelope, separators=(",", ":"))
        attributes = _attributes(envelope, correlation_id)
        if self.topic_arn:
            self.client.publish(TopicArn=self.topic_arn, Message=body, MessageAttributes=attributes)
        else:
            self.client.send_message(QueueUrl=self.queue_url, MessageBody=body, MessageAttributes=attributes)
        return envelope
