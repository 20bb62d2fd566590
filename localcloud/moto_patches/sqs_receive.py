"""ReceiveMessage, DeleteMessageBatch and the message counts cost one pass over a queue, not one per message.

moto checks each message it hands out against the queue's retention period by calling
`get_queue_attributes(["MessageRetentionPeriod"])`, which builds the whole attribute dictionary, three
message counts included, three times: receiving every message of a queue of n costs O(n²) (a send queue
of 10 000 jobs took minutes to drain). Here that check reads the queue's retention period itself.
`DeleteMessageBatch` deletes each receipt with its own two passes over the queue; here one pass deletes
them all. `Queue.messages` and the counts read the clock once per pass, not once or twice per message.
The answers are moto's own (tests/localcloud/test_moto_patches_sqs_receive.py compares them).

Deletes also take the lock moto's sends append under: moto deletes by building a new message list and
putting it in place, so a send or a delete that ran meanwhile was undone, losing a message or bringing a
deleted one back (SQS deletes atomically; a fan-out enqueues while its jobs are being deleted); and
receives on a standard queue take it too, so two pollers never take the same message at once.
"""

from __future__ import annotations

import functools
from typing import Any

from localcloud.moto_patches.switch import state


def _retention(original: Any) -> Any:
    from moto.core.utils import unix_time

    @functools.wraps(original)
    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        if not state.on:
            return original(self, queue_name, message)
        retention_period = self.get_queue(queue_name).message_retention_period
        return retention_period + message.sent_timestamp / 1000 > unix_time()

    return is_message_valid_based_on_retention_period


def _delete_batch(original: Any) -> Any:
    @functools.wraps(original)
    def delete_message_batch(self: Any, queue_name: str, receipts: list[dict[str, Any]]) -> Any:
        if not state.on:
            return original(self, queue_name, receipts)
        queue = self.get_queue(queue_name)
        with queue._messages_lock:
            wanted = {r["ReceiptHandle"] for r in receipts} - queue.deleted_messages
            if wanted:
                kept = []
                for message in queue._messages:
                    handles = message.all_receipt_handles
                    if wanted.isdisjoint(handles):
                        kept.append(message)
                        continue
                    queue.pending_messages.discard(message)
                    queue.deleted_messages.update(handles)
                queue._messages = kept
        success, errors = [], []
        for receipt in receipts:
            if receipt["ReceiptHandle"] in queue.deleted_messages:
                success.append(receipt["Id"])
                continue
            errors.append(
                {
                    "Id": receipt["Id"],
                    "SenderFault": True,
                    "Code": "ReceiptHandleIsInvalid",
                    "Message": f'The input receipt handle "{receipt["ReceiptHandle"]}" is not a valid receipt handle.',
                }
            )
        return success, errors

    return delete_message_batch


def _delete_under_the_lock(queue_class: Any) -> None:
    """moto rebuilds the message list to delete, without the lock its sends append under: a send or another
    delete in between was undone (a message lost, or a deleted one back in flight to be received again)."""
    original = queue_class.delete_message

    @functools.wraps(original)
    def delete_message(self: Any, receipt_handle: str) -> None:
        with self._messages_lock:
            original(self, receipt_handle)

    queue_class.delete_message = delete_message


def _receive_under_the_lock(original: Any) -> Any:
    """Two concurrent receives could take the same message (each sees it visible before either marks it
    received); on a standard queue one receive at a time marks its messages. The lock is released while a
    long poll waits. FIFO queues keep their own ordered path (semantics.py), which polls without waiting."""

    @functools.wraps(original)
    def receive_message(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        queue = self.get_queue(queue_name)
        if queue.fifo_queue:
            return original(self, queue_name, *args, **kwargs)
        with queue._messages_lock:
            return original(self, queue_name, *args, **kwargs)

    return receive_message


def _one_clock_reading(queue_class: Any) -> None:
    from moto.core.utils import unix_time_millis

    messages = queue_class.messages.fget
    delayed = queue_class.approximate_number_of_messages_delayed.fget
    not_visible = queue_class.approximate_number_of_messages_not_visible.fget

    def visible_messages(self: Any) -> list[Any]:
        if not state.on:
            return messages(self)
        now = unix_time_millis()
        return [m for m in self._messages if now > m.visible_at and not now < m.delayed_until]

    def count_delayed(self: Any) -> int:
        if not state.on:
            return delayed(self)
        now = unix_time_millis()
        return sum(1 for m in self._messages if now < m.delayed_until)

    def count_not_visible(self: Any) -> int:
        if not state.on:
            return not_visible(self)
        now = unix_time_millis()
        return sum(1 for m in self._messages if not now > m.visible_at)

    queue_class.messages = property(visible_messages)
    queue_class.approximate_number_of_messages_delayed = property(count_delayed)
    queue_class.approximate_number_of_messages_not_visible = property(count_not_visible)


def apply() -> None:
    from moto.sqs.models import Queue, SQSBackend

    SQSBackend.is_message_valid_based_on_retention_period = _retention(
        SQSBackend.is_message_valid_based_on_retention_period
    )
    SQSBackend.delete_message_batch = _delete_batch(SQSBackend.delete_message_batch)
    SQSBackend.receive_message = _receive_under_the_lock(SQSBackend.receive_message)
    _delete_under_the_lock(Queue)
    _one_clock_reading(Queue)
