"""RenderSiteFunction: the render queue (BlogEvents) → the site bucket and CloudFront invalidations.

Each message must be a BlogEvents envelope naming a post; one that is not fails alone (partial batch
response) and reaches the DLQ after its retries. The batch then renders once for every post it named.
A failed render fails the whole batch, so SQS delivers it again.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from common.observability import logger as make_logger

from blog import slugs, wiring
from blog.config import load_settings

SETTINGS = load_settings(needs=("SITE_BUCKET", "SITE_URL"))
logger = make_logger(SETTINGS.service_name)
TYPES = frozenset({"PostPublished", "PostUpdated", "PostUnpublished", "PostDeleted"})


class NotABlogEvent(ValueError):
    pass


def slug_of(body: str) -> str:
    try:
        message = json.loads(body)
    except ValueError:
        raise NotABlogEvent("the message is not JSON") from None
    if isinstance(message, dict) and message.get("Type") == "Notification" and isinstance(message.get("Message"), str):
        return slug_of(message["Message"])  # an SNS envelope (a subscription without raw message delivery)
    if not isinstance(message, dict) or message.get("type") not in TYPES or message.get("source") != "blog":
        raise NotABlogEvent("the message is not a BlogEvents envelope")
    data = message.get("data")
    slug = data.get("slug") if isinstance(data, dict) else None
    if not slugs.is_slug(slug):
        raise NotABlogEvent(f"the message names no valid post slug: {str(slug)[:80]!r}")
    return slug


@logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    named: list[str] = []

    def record_handler(record: SQSRecord) -> None:
        named.append(slug_of(record.body))

    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    if named:
        rendered = wiring.site_builder(SETTINGS).render(named)
        logger.info("rendered", extra={"posts": sorted(set(named)), "changed": rendered.changed,
                                       "invalidated": rendered.invalidated})  # fmt: skip
    return response
