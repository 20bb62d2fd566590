"""SQS queues for the data browser, read from moto's model in this process.

A peek must not be a ReceiveMessage: that would count a receive, hide the messages from the real
consumer for the visibility timeout, and move a message to its DLQ one receive early. So this reads
moto's `Queue` objects directly and changes nothing on them.
"""

from __future__ import annotations

import json
import time
from typing import Any

from moto.sqs.models import sqs_backends

PEEK = 50


class NoSuchQueue(LookupError):
    pass


def _backend(account_id: str, region: str) -> Any:
    return sqs_backends[account_id][region]


def _queue(account_id: str, region: str, name: str) -> Any:
    queue = _backend(account_id, region).queues.get(name)
    if queue is None:
        raise NoSuchQueue(name)
    return queue


def counts(account_id: str, region: str, name: str) -> dict[str, int]:
    """Visible, in flight (received, not yet deleted or visible again) and delayed messages."""
    messages = list(_queue(account_id, region, name)._messages)
    in_flight = sum(1 for m in messages if not m.visible)
    delayed = sum(1 for m in messages if m.delayed and m.visible)
    return {"visible": len(messages) - in_flight - delayed, "in_flight": in_flight, "delayed": delayed}


def summary(account_id: str, region: str, name: str) -> dict:
    queue = _queue(account_id, region, name)
    policy = queue.redrive_policy or {}
    if isinstance(policy, str):
        policy = json.loads(policy or "{}")
    dead_letter = str(policy.get("deadLetterTargetArn") or "").rsplit(":", 1)[-1] or None
    sources = sorted(
        q.name
        for q in list(_backend(account_id, region).queues.values())
        if q.dead_letter_queue is not None and q.dead_letter_queue.name == name
    )
    return {
        "name": name,
        "arn": queue.queue_arn,
        "fifo": bool(queue.fifo_queue),
        "visibility_timeout": int(queue.visibility_timeout),
        "counts": counts(account_id, region, name),
        "dead_letter_queue": dead_letter,
        "dead_letter_counts": counts(account_id, region, dead_letter)
        if dead_letter and _exists(account_id, region, dead_letter)
        else None,
        "max_receive_count": policy.get("maxReceiveCount"),
        "dead_letter_sources": sources,
    }


def peek(account_id: str, region: str, name: str, limit: int = PEEK) -> list[dict]:
    """The oldest `limit` messages as they sit in the queue, each with its state; nothing is received."""
    now_ms = time.time() * 1000
    shown = []
    for message in list(_queue(account_id, region, name)._messages)[:limit]:
        state = "in flight" if not message.visible else "delayed" if message.delayed else "visible"
        hidden_for = max(0.0, round((message.visible_at - now_ms) / 1000, 1)) if state == "in flight" else 0
        shown.append(
            {
                "message_id": message.id,
                "state": state,
                "body": _decoded(message.body),
                "attributes": dict(message.message_attributes or {}),
                "sent": (message.sent_timestamp or 0) / 1000 or None,
                "receive_count": message.approximate_receive_count,
                "visible_in_seconds": hidden_for,
                "group_id": message.group_id,
                "deduplication_id": message.deduplication_id,
            }
        )
    return shown


def _exists(account_id: str, region: str, name: str | None) -> bool:
    return bool(name) and name in _backend(account_id, region).queues


def _decoded(body: Any) -> Any:
    if isinstance(body, str) and body[:1] in "{[":
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body
