"""Where moto's semantics differ from AWS in ways our applications depend on, restore AWS's.

DynamoDB applies each write atomically: a condition and the change it guards are one step. moto checks
the condition, then applies the change in plain Python, so two concurrent requests on the threaded server
can both pass the same `version = :expected` condition. One lock around moto's write operations restores
the guarantee (optimistic concurrency in the todos API depends on it).
"""

from __future__ import annotations

import functools
import threading

_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
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
    _applied = True
