"""FanOutPostFunction: PostPublished (BlogEvents → the posts queue) → one send job per active subscriber.

A fan-out that runs short of time stops at a checkpoint and fails its message, so the queue hands it
back and the next run resumes there; one that fails five times lands in the posts DLQ.
"""

from __future__ import annotations

import json
import re

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common.observability import logger as make_logger

from subscribers import wiring
from subscribers.config import load_settings

SETTINGS = load_settings(needs=("IDEMPOTENCY_TABLE", "SEND_QUEUE_URL"))
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.SQS)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_context = None


def published_slug(body: str) -> str:
    """The slug of a PostPublished envelope (events/schemas/PostPublished.v1.schema.json); ValueError else."""
    envelope = json.loads(body)
    if not isinstance(envelope, dict) or envelope.get("type") != "PostPublished":
        raise ValueError("not a PostPublished event")
    slug = (envelope.get("data") or {}).get("slug")
    if not isinstance(slug, str) or len(slug) > 200 or not SLUG.fullmatch(slug):
        raise ValueError("PostPublished without a valid slug")
    return slug


def record_handler(record: SQSRecord) -> dict:
    slug = published_slug(record.body)
    left = (lambda: _context.get_remaining_time_in_millis() / 1000) if _context else (lambda: float("inf"))
    checkpoint = wiring.fanout(SETTINGS).run(slug, left)
    logger.info("fanned out", extra={"slug": slug, "jobs": checkpoint.queued})
    return {"slug": slug, "jobs": checkpoint.queued}


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    global _context
    _context = context
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
