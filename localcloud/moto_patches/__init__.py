"""Patches to the embedded moto, applied once before the AWS endpoint serves (`apply()`).

Three kinds, one module each:
- semantics.py: where moto's semantics differ from AWS in ways our applications depend on (atomic
  conditional writes, FIFO redelivery order, unthrottled purges, bounded stream iterators);
  firehose.py, likewise: DirectPut records go to localcloud's delivery buffer, not straight to S3;
  stepfunctions.py, likewise: unnamed executions get a UUID, and StartSyncExecution runs Express machines;
- speed patches, which change no result, only its cost: dynamodb_query.py (a Query reads its partition,
  sorted once per change, instead of sorting the whole table), dynamodb_json.py (AttributeValues are
  serialized directly, not through moto's generic shape walker), sqs_send.py (SendMessage reads the one
  queue attribute it needs instead of counting every message), sqs_receive.py (ReceiveMessage,
  DeleteMessageBatch and the counts take one pass over a queue, not one per message; it also makes
  deletes and standard-queue receives take the queue's lock, a semantics fix: moto's unlocked list
  rebuild could undo a concurrent send or delete, and two receives could take one message) and
  dispatch.py (a response class's method names are listed once, not on every request). Each has a test
  that compares its results with moto's own code; `stock()` turns them off in a thread for that;
- imports.py, a start-up patch: moto's EC2 region lists (imported with SSM) from one botocore session.
"""

from __future__ import annotations

from localcloud.moto_patches.switch import stock

__all__ = ["apply", "stock"]

_applied = False


def apply() -> None:
    global _applied
    if _applied:
        return
    from localcloud.moto_patches import (
        dispatch,
        dynamodb_json,
        dynamodb_query,
        firehose,
        imports,
        semantics,
        sqs_receive,
        sqs_send,
        stepfunctions,
    )

    for module in (
        imports,
        semantics,
        stepfunctions,
        firehose,
        dynamodb_query,
        dynamodb_json,
        sqs_send,
        sqs_receive,
        dispatch,
    ):
        module.apply()
    _applied = True
