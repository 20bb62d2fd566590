"""CreateUploadFunction: POST /media/uploads (Cognito, group admins) → a presigned POST."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from common.http import JSON_CONTENT_TYPE, caller_claims, parse_json_body, register_error_handlers
from common.observability import logger as make_logger

from media import schemas, wiring
from media.config import load_settings

SETTINGS = load_settings()
logger = make_logger(SETTINGS.service_name)
app = APIGatewayRestResolver()
register_error_handlers(app, logger)


def groups(claims: dict) -> frozenset[str]:
    """`cognito:groups` as API Gateway hands it on: a list, "a,b" (REST) or "[a b]" (HTTP API)."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return frozenset(str(g) for g in raw)
    if not isinstance(raw, str):
        return frozenset()
    return frozenset(part for part in raw.strip("[]").replace(",", " ").split() if part)


@app.post("/media/uploads")
def create_upload():
    event = app.current_event
    claims = caller_claims(event.raw_event)
    body = parse_json_body(
        event.body,
        is_base64=bool(event.is_base64_encoded),
        content_type=event.get_header_value("Content-Type", case_sensitive=False),
        max_bytes=schemas.MAX_BODY_BYTES,
    )
    upload = wiring.uploads(SETTINGS).create(groups(claims), body)
    return Response(
        status_code=201,
        content_type=JSON_CONTENT_TYPE,
        body=json.dumps(upload, separators=(",", ":")),
        headers={"Cache-Control": "no-store"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
def handler(event, context):
    return app.resolve(event, context)
