"""Where moto's semantics differ from AWS in ways our applications depend on, restore AWS's.

DynamoDB applies each write atomically: a condition and the change it guards are one step. moto checks
the condition, then applies the change in plain Python, so two concurrent requests on the threaded server
can both pass the same `version = :expected` condition. One lock around moto's write operations restores
the guarantee (optimistic concurrency in the todos API depends on it).

FIFO queues: moto blocks a message group while it has messages in flight, but when several in-flight
messages of a group become visible again it unblocks the group on the last one it meets and can deliver
it before the earlier ones; AWS redelivers a group strictly in order. Each FIFO receive here first settles
the in-flight bookkeeping (messages due within 100 ms count as visible) and then takes one ordered pass.

Kinesis numbers a shard's records by reading the last sequence number and storing at the next one, in
plain Python: two concurrent PutRecord calls can take the same number, and the later overwrites the
earlier, so a record acknowledged with a sequence number is lost (1 in 1 000 concurrent page views). A
lock makes numbering and storing one step. moto also takes an empty partition key, which Kinesis refuses
with a ValidationException (its length is 1 to 256): storage-first mapping templates rely on that
refusal to turn a request they cannot record into a 4xx.

Also: SQS purges are not rate limited (tests reset data between cases), and DynamoDB Streams shard
iterators are bounded (moto keeps every iterator ever issued; AWS expires them after 15 minutes, and a
poller issues one per GetRecords, so an idle local stream would otherwise grow without end).
"""

from __future__ import annotations

import functools
import os
import threading
import time

_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_MAX_SHARD_ITERATORS = 5000
_FIFO_SETTLE_MS = 100
_FIFO_IDLE_POLL_SECONDS = 0.05
WRITE_LOCK = threading.RLock()  # held by every DynamoDB write (and by dynamodb_query.py's partition sort)


def apply() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    lock = WRITE_LOCK
    for name in _DYNAMODB_WRITES:
        original = getattr(DynamoDBBackend, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def atomic(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, atomic)
    os.environ.setdefault("MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR", "false")
    _bound_stream_iterators()
    _fifo_redelivery_in_order()
    _kinesis_numbers_each_record_once()
    _kinesis_refuses_an_empty_partition_key()


def _kinesis_refuses_an_empty_partition_key() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.kinesis.models import Stream

    original = Stream.get_shard_for_key

    @functools.wraps(original)
    def get_shard_for_key(self, partition_key, explicit_hash_key):
        if partition_key == "":
            raise JsonRESTError(
                "ValidationException",
                "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1",
            )
        return original(self, partition_key, explicit_hash_key)

    Stream.get_shard_for_key = get_shard_for_key


def _kinesis_numbers_each_record_once() -> None:
    from moto.kinesis.models import Shard

    original = Shard.put_record
    lock = threading.Lock()  # one for every shard: numbering a record takes microseconds

    @functools.wraps(original)
    def put_record(self, *args, **kwargs):
        with lock:
            return original(self, *args, **kwargs)

    Shard.put_record = put_record


def _bound_stream_iterators() -> None:
    from moto.dynamodbstreams.models import DynamoDBStreamsBackend

    original = DynamoDBStreamsBackend.get_records

    @functools.wraps(original)
    def get_records(self, iterator_arn, limit):
        result = original(self, iterator_arn, limit)
        iterators = self.shard_iterators
        while len(iterators) > _MAX_SHARD_ITERATORS:
            iterators.pop(next(iter(iterators)))
        return result

    DynamoDBStreamsBackend.get_records = get_records


def _fifo_redelivery_in_order() -> None:
    from moto.core.utils import unix_time_millis
    from moto.sqs.models import SQSBackend

    original = SQSBackend.receive_message
    lock = threading.Lock()

    def settle(queue) -> None:
        """In-flight messages that are visible (or due within the margin) stop blocking their group."""
        due = unix_time_millis() + _FIFO_SETTLE_MS
        for message in list(queue.pending_messages):
            if message.visible_at <= due:
                message.visible_at = min(message.visible_at, unix_time_millis() - 1)
                queue.pending_messages.discard(message)

    @functools.wraps(original)
    def receive_message(self, queue_name, count, wait_seconds_timeout, visibility_timeout, *args, **kwargs):
        queue = self.get_queue(queue_name)
        if not queue.fifo_queue:
            return original(self, queue_name, count, wait_seconds_timeout, visibility_timeout, *args, **kwargs)
        deadline = time.monotonic() + float(wait_seconds_timeout or 0)
        while True:
            with lock:
                settle(queue)
                result = original(self, queue_name, count, 0, visibility_timeout, *args, **kwargs)
            if result or time.monotonic() >= deadline:
                return result
            time.sleep(_FIFO_IDLE_POLL_SECONDS)

    SQSBackend.receive_message = receive_message
