"""MakeThumbnailsFunction: the thumbnail queue's S3 notifications → renditions, with partial batch responses.

Each SQS message carries one S3 notification (possibly several records, or S3's `s3:TestEvent` when the
notification is configured). A message fails alone, and only for what a retry may fix (the queue's
redrive moves it to the DLQ after a few tries); a bad file is an outcome, answered by quarantine and
`MediaRejected`, never a failure.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from common.observability import logger as make_logger

from media import wiring
from media.config import load_settings

SETTINGS = load_settings()
logger = make_logger(SETTINGS.service_name)
batch = BatchProcessor(event_type=EventType.SQS)


def uploads_of(body: str) -> list[dict]:
    """The created objects an S3 notification names (keys decoded: AWS and moto both encode them)."""
    notification = json.loads(body)
    if notification.get("Event") == "s3:TestEvent":
        return []
    found = []
    for record in notification.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        found.append(
            {
                "bucket": s3["bucket"]["name"],
                "key": unquote_plus(s3["object"]["key"]),
                "etag": str(s3["object"].get("eTag") or s3["object"].get("sequencer") or ""),
            }
        )
    return found


def record_handler(record) -> None:
    process = wiring.processor(SETTINGS, logger)
    for upload in uploads_of(record.body):
        outcome = process(upload=upload)
        logger.info("upload handled", extra={"key": upload["key"], "outcome": outcome.get("outcome")})


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    wiring.processor(SETTINGS, logger, context)
    return process_partial_response(event=event, record_handler=record_handler, processor=batch, context=context)
