"""PublishEventsFunction: the posts table's stream → one BlogEvents message per change (the outbox).

Records are processed one by one with partial batch responses, and each publish is idempotent on the
stream record's `eventID` (Powertools idempotency, a DynamoDB table): a record the poller hands over
again, after a failure later in its batch or a retry, publishes nothing new and returns the first
envelope, so every change is announced exactly once.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from common.envelope import Publisher
from common.observability import logger as make_logger

from blog.config import load_settings
from blog.logic.events import event_for

SETTINGS = load_settings(needs=("TOPIC_ARN", "IDEMPOTENCY_TABLE"))
logger = make_logger(SETTINGS.service_name)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
publisher = Publisher(source="blog", topic_arn=SETTINGS.topic_arn)
idempotency = IdempotencyConfig(event_key_jmespath="eventID", expires_after_seconds=2 * 24 * 3600)
persistence = DynamoDBPersistenceLayer(table_name=SETTINGS.idempotency_table)


@idempotent_function(data_keyword_argument="change", config=idempotency, persistence_store=persistence)
def announce(change: dict) -> dict | None:
    found = event_for(change["eventName"], change["old"], change["new"])
    if found is None:
        return None
    type_, data = found
    envelope = publisher.publish(type_, data)
    logger.info("published", extra={"type": type_, "slug": data["slug"], "id": envelope["id"]})
    return envelope


def record_handler(record: DynamoDBRecord) -> dict | None:
    change = {
        "eventID": record.event_id,
        "eventName": record.event_name.name if record.event_name else "",
        "old": record.dynamodb.old_image if record.dynamodb else None,
        "new": record.dynamodb.new_image if record.dynamodb else None,
    }
    return announce(change=change)


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    idempotency.register_lambda_context(context)
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
