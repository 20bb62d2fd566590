"""SendWelcomeFunction: the subscribers table's stream (INSERT only, by FilterCriteria) → one welcome each.

Partial batch responses: a record that fails is retried (bisected, bounded, then the on-failure
destination) without resending the others, whose idempotency records say they are done.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from common.observability import logger as make_logger

from subscribers import wiring
from subscribers.config import load_settings

SETTINGS = load_settings(needs=("TOKEN_KEY_SECRET", "IDEMPOTENCY_TABLE", "SENDER", "SITE_URL_PARAMETER"))
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> dict:
    image = (record.dynamodb.new_image if record.dynamodb else None) or {}
    if not isinstance(image.get("id"), str) or not isinstance(image.get("email"), str):
        raise ValueError("the stream record has no subscriber id and email")
    subscriber = {"id": image["id"], "email": image["email"], "name": image.get("name")}
    outcome = wiring.welcome_once(SETTINGS)(subscriber=subscriber)
    logger.info("welcome", extra={"subscriber": subscriber["id"], "status": outcome.get("status")})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    wiring.welcome_once(SETTINGS)
    wiring.register(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
