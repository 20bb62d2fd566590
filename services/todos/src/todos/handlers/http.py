"""What the read and write handlers share: the resolver, the caller, query parsing, item responses."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from common.errors import BadRequest
from common.http import (
    JSON_CONTENT_TYPE,
    caller_claims,
    etag,
    parse_if_match,
    parse_int_param,
    register_error_handlers,
)
from common.observability import logger as make_logger

from todos import schemas, wiring
from todos.config import load_settings

SETTINGS = load_settings()
logger = make_logger(SETTINGS.service_name)


def make_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    register_error_handlers(app, logger)
    return app


def service():
    return wiring.service(SETTINGS)


def owner(app: APIGatewayRestResolver) -> str:
    return caller_claims(app.current_event.raw_event)["sub"]


def header(app: APIGatewayRestResolver, name: str) -> str | None:
    return app.current_event.get_header_value(name, case_sensitive=False)


def expected_version(app: APIGatewayRestResolver) -> int | None:
    return parse_if_match(header(app, "If-Match"))


def query_value(app: APIGatewayRestResolver, name: str) -> str | None:
    """One query parameter; sending it twice with different values is ambiguous, so a 400."""
    multi = app.current_event.multi_value_query_string_parameters or {}
    values = multi.get(name)
    if values and len(set(values)) > 1:
        raise BadRequest(f"query parameter {name} was given more than once", code="InvalidQuery")
    return (app.current_event.query_string_parameters or {}).get(name)


def parse_limit(raw: str | None) -> int:
    return parse_int_param(
        raw,
        name="limit",
        minimum=schemas.LIMIT_MIN,
        maximum=schemas.LIMIT_MAX,
        default=schemas.LIMIT_DEFAULT,
        code="InvalidLimit",
    )


def parse_done(raw: str | None) -> bool | None:
    if raw is None:
        return None
    if raw in ("true", "false"):
        return raw == "true"
    raise BadRequest(f"done must be true or false, not {raw[:20]!r}", code="InvalidDone")


def json_response(status: int, body: object, headers: dict | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=JSON_CONTENT_TYPE,
        body=json.dumps(body, separators=(",", ":")),
        headers=headers or {},
    )


def item_response(item: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_response(status, item, {"ETag": etag(item["version"]), **(headers or {})})
