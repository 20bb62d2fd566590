"""AttachCoverFunction: the covers queue (SQS, subscribed to MediaEvents) with partial batch responses.

A message that fails (malformed, or DynamoDB refusing) is reported alone; the queue redelivers it and
after maxReceiveCount moves it to the DLQ. The others of the batch are done.
"""

from __future__ import annotations

import threading
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common.observability import logger as make_logger
from common.tables import TableProvider

from blog.covers import schema
from blog.covers.config import load_settings
from blog.covers.dal import DynamoCoverStore
from blog.covers.logic import CoverService

SETTINGS = load_settings()
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.SQS)

_lock = threading.Lock()
_service: CoverService | None = None


def service() -> CoverService:
    global _service
    if _service is None:
        with _lock:
            if _service is None:
                store = DynamoCoverStore(
                    TableProvider(SETTINGS.posts_table), SETTINGS.cover_index, TableProvider(SETTINGS.covers_table)
                )
                _service = CoverService(store, schema.media_processed(), SETTINGS.media_path)
    return _service


def use(replacement: CoverService | None) -> None:
    """Install a service (tests), or None to build the DynamoDB one on next use."""
    global _service
    with _lock:
        _service = replacement


def _message(record: SQSRecord) -> list[str]:
    written = service().handle(record.body)
    logger.info("cover message", extra={"messageId": record.message_id, "covers": written})
    return written


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: Any) -> dict:
    return process_partial_response(event=event, record_handler=_message, processor=processor, context=context)
