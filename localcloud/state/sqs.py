"""Messages of every queue, hidden fan-in queues included, so nothing queued is lost across a restart.

Each message keeps its id, body, attributes, group, deduplication id, sequence number and receive
count. Messages that were in flight come back visible, as they would once their visibility timeout ran
out after a consumer crash; receipt handles issued before the restart are void, as they are on AWS
after the timeout. Delays still pending are kept (they are absolute times).
"""

from __future__ import annotations

from collections.abc import Iterator

from localcloud.state.codec import decode_object, encode_object
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "sqs"
_TRANSIENT = ("receipt_handle", "_old_receipt_handles", "visible_at")


def save(scope: Scope) -> Iterator[dict]:
    queues = moto_backend(scope, "sqs").queues
    for name in sorted(queues):
        queue = queues[name]
        messages = [encode_object(m, exclude=_TRANSIENT) for m in list(queue._messages)]
        if messages:
            yield {"queue": name, "messages": messages}


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.sqs.models import Message

    done = Restored()
    queues = moto_backend(scope, "sqs").queues
    for record in records:
        queue = queues.get(record["queue"])
        if queue is None and scope.make_queue is not None and scope.make_queue(record["queue"]):
            queue = queues.get(record["queue"])
        if queue is None:
            dropped = len(record["messages"])
            done.skipped.append(f"queue {record['queue']} no longer exists: its {dropped} messages were dropped")
            continue
        messages = []
        for saved in record["messages"]:
            message = decode_object(saved, [Message])
            message.receipt_handle = None
            message._old_receipt_handles = []
            message.visible_at = 0.0
            messages.append(message)
        with queue._messages_lock:
            queue._messages.extend(messages)
            queue._messages_lock.notify_all()
        done.add("messages", len(messages))
    return done
