"""Where moto's semantics differ from AWS in ways our applications depend on, restore AWS's.

DynamoDB applies each write atomically: a condition and the change it guards are one step. moto checks
the condition, then applies the change in plain Python, so two concurrent requests on the threaded server
can both pass the same `version = :expected` condition. One lock around moto's write operations restores
the guarantee (optimistic concurrency in the todos API depends on it).

Also: SQS purges are not rate limited (tests reset data between cases), and DynamoDB Streams shard
iterators are bounded (moto keeps every iterator ever issued; AWS expires them after 15 minutes, and a
poller issues one per GetRecords, so an idle local stream would otherwise grow without end).
"""

from __future__ import annotations

import functools
import os
import threading

_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_MAX_SHARD_ITERATORS = 5000
_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
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
    _applied = True


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
