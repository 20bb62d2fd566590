"""What the read and write handlers share: the resolver, the caller, query parsing, item responses."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from common.errors import BadRequest
from common.http import (  # noqa: F401 (header, expected_version, query_value: the routes use them from here)
    caller_claims,
    etag,
    expected_version,
    header,
    json_response,
    parse_int_param,
    query_value,
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


def item_response(item: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_response(status, item, {"ETag": etag(item["version"]), **(headers or {})})
