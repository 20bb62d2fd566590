"""SendPostEmailFunction: the send queue → one email per (post, subscriber), paced to the maximum rate.

A post's title and excerpt come from the blog's public API once per post and batch, and the batch's
subscribers from one strongly consistent BatchGetItem as its sends start: a job whose subscriber has
unsubscribed, even mid-fan-out, sends nothing. Partial batch
responses: only failed jobs come back, and after five receives one lands in the send DLQ.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common.observability import logger as make_logger

from subscribers import wiring
from subscribers.config import load_settings
from subscribers.dal.posts import SLUG

SETTINGS = load_settings(
    needs=("TOKEN_KEY_SECRET", "IDEMPOTENCY_TABLE", "SENDER", "SITE_URL_PARAMETER", "BLOG_API_URL_PARAMETER")
)
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.SQS)


def parse_job(body: str) -> dict:
    job = json.loads(body)
    if not isinstance(job, dict) or set(job) != {"slug", "id"}:
        raise ValueError("a send job is {slug, id}")
    if not isinstance(job["slug"], str) or not SLUG.fullmatch(job["slug"]) or not isinstance(job["id"], str):
        raise ValueError("a send job needs a post slug and a subscriber id")
    return job


def subscriber_ids(records: list[dict]) -> list[str]:
    """The subscribers of the batch's well-formed jobs (a malformed one fails on its own later)."""
    ids = []
    for record in records:
        try:
            ids.append(parse_job(record["body"])["id"])
        except (ValueError, TypeError, KeyError):
            continue
    return ids


def handler_for_batch(records: list[dict]):
    reads = wiring.batch_reads(SETTINGS, subscriber_ids(records))

    def record_handler(record: SQSRecord) -> dict:
        job = parse_job(record.body)
        outcome = wiring.post_email_once(SETTINGS)(job=job, reads=reads)
        logger.debug("post email", extra={"slug": job["slug"], "subscriber": job["id"], "status": outcome["status"]})
        return outcome

    return record_handler


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    wiring.post_email_once(SETTINGS)
    wiring.register(context)
    return process_partial_response(
        event=event, record_handler=handler_for_batch(event["Records"]), processor=processor, context=context
    )
