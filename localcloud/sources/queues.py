"""A thin SQS queue handle shared by the event source mapping poller and the hidden fan-in queues."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .config import arn_name

log = logging.getLogger("localcloud.sources")

LONG_POLL_SECONDS = 1
_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed")


def dedicated_client(aws: Any, service: str) -> Any:
    """A client of this poller's own: a long-poll holds a pooled connection for a second, so pollers
    must not share one cached client (its pool of 10 would overflow with many queues)."""
    client = aws(service)
    if client is not aws(service):
        return client
    return boto3.session.Session().client(
        service,
        endpoint_url=client.meta.endpoint_url,
        region_name=client.meta.region_name,
        config=client.meta.config,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - the fake credentials localcloud always uses
    )


class Queue:
    def __init__(self, client: Any, arn: str):
        self.client = client
        self.arn = arn
        self.name = arn_name(arn)
        self.url = ""
        self.visibility_timeout = 30
        self.fifo = self.name.endswith(".fifo")
        self.max_receive_count: int | None = None
        self.dead_letter_arn: str | None = None

    def resolve(self) -> None:
        """Look the queue up (raises when it does not exist) and read its visibility and redrive settings."""
        self.url = self.client.get_queue_url(QueueName=self.name)["QueueUrl"]
        attributes = self.client.get_queue_attributes(QueueUrl=self.url, AttributeNames=["All"])["Attributes"]
        self.visibility_timeout = int(attributes.get("VisibilityTimeout", 30))
        self.fifo = attributes.get("FifoQueue") == "true" or self.fifo
        policy = attributes.get("RedrivePolicy")
        if policy:
            parsed = json.loads(policy) if isinstance(policy, str) else policy
            self.max_receive_count = int(parsed.get("maxReceiveCount", 0)) or None
            self.dead_letter_arn = parsed.get("deadLetterTargetArn")

    def receive(self, count: int, wait_seconds: int) -> list[dict]:
        response = self.client.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=max(1, min(count, 10)),
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return response.get("Messages") or []

    def delete(self, receipts: list[str]) -> None:
        for start in range(0, len(receipts), 10):
            chunk = receipts[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r} for i, r in enumerate(chunk)]
            response = self.client.delete_message_batch(QueueUrl=self.url, Entries=entries)
            for failure in response.get("Failed") or []:
                log.warning("%s: could not delete a message: %s", self.name, failure.get("Message"))

    def set_visibility(self, receipts: list[str], seconds: int) -> None:
        for start in range(0, len(receipts), 10):
            chunk = receipts[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": r, "VisibilityTimeout": seconds} for i, r in enumerate(chunk)]
            try:
                self.client.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)
            except ClientError as exc:
                log.warning("%s: could not change visibility: %s", self.name, exc)

    def pending(self) -> bool:
        """Whether any message is visible, in flight (waiting out its visibility timeout) or delayed."""
        attributes = self.client.get_queue_attributes(QueueUrl=self.url, AttributeNames=list(_COUNTS))["Attributes"]
        return any(int(attributes.get(name, 0)) for name in _COUNTS)

    def purge(self) -> None:
        try:
            self.client.purge_queue(QueueUrl=self.url)
        except ClientError:
            while messages := self.receive(10, 0):
                self.delete([m["ReceiptHandle"] for m in messages])
