"""AggregateViewsFunction: a Kinesis batch of views → the posts' counters, with partial batch responses.

Powertools' batch processor turns each record into a `Record` (and reports a record it cannot read);
the tally decides what is counted and which record the batch resumes from (blog.views.logic).
"""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord
from common.observability import logger as make_logger
from common.tables import TableProvider

from blog.views import logic
from blog.views.config import load_settings
from blog.views.dal import DynamoCounterStore

SETTINGS = load_settings()
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

_lock = threading.Lock()
_store: logic.CounterStore | None = None


def store() -> logic.CounterStore:
    global _store
    if _store is None:
        with _lock:
            if _store is None:
                _store = DynamoCounterStore(TableProvider(SETTINGS.posts_table))
    return _store


def use(replacement: logic.CounterStore | None) -> None:
    """Install a store (tests), or None to build the DynamoDB one on next use."""
    global _store
    with _lock:
        _store = replacement


def _record(record: KinesisStreamRecord) -> logic.Record:
    shard = record.event_id.split(":", 1)[0]
    return logic.Record(shard=shard, sequence=record.kinesis.sequence_number, data=record.kinesis.data_as_bytes())


def _unreadable(raw: Any) -> logic.Record:
    """A record the processor could not read stays in its place, as poison (empty data)."""
    raw = raw if isinstance(raw, dict) else getattr(raw, "raw_event", {})
    shard = str(raw.get("eventID", "")).split(":", 1)[0]
    return logic.Record(shard=shard, sequence=str(raw.get("kinesis", {}).get("sequenceNumber", "")), data=b"")


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    with processor(records=event.get("Records") or [], handler=_record):
        processed = processor.process()
    records = [result if status == "success" else _unreadable(raw) for status, result, raw in processed]
    tallied = logic.tally(records)  # raises PoisonFirst: the whole batch fails and is bisected
    summary = logic.apply(tallied, store())
    logger.info("views counted", extra={"records": len(records), "views": summary})
    if tallied.poison is None:
        return {"batchItemFailures": []}
    logger.warning("poison record", extra={"sequence": tallied.poison.sequence, "reason": tallied.reason})
    return {"batchItemFailures": [{"itemIdentifier": tallied.poison.sequence}]}
