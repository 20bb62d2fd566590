"""What the read and write handlers share: the resolver, query parsing, responses and their caching.

Every response says how long the CDN and the API stage may keep it. Public reads: a minute in browsers
and at the CDN (the site's pages are invalidated on change, API answers simply expire), errors ten
seconds; admin calls: never.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from common.errors import BadRequest
from common.http import JSON_CONTENT_TYPE, etag, parse_if_match, parse_int_param, register_error_handlers
from common.observability import logger as make_logger

from blog import schemas, wiring
from blog.config import load_settings

SETTINGS = load_settings(needs=("CURSOR_KEY",))
logger = make_logger(SETTINGS.service_name)
PUBLIC = "public, max-age=60, s-maxage=60"
PUBLIC_ERROR = "public, max-age=10, s-maxage=10"
PRIVATE = "no-store"


def make_resolver() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver()
    register_error_handlers(app, logger)
    return app


def service():
    return wiring.service(SETTINGS)


def header(app: APIGatewayRestResolver, name: str) -> str | None:
    return app.current_event.get_header_value(name, case_sensitive=False)


def expected_version(app: APIGatewayRestResolver) -> int | None:
    return parse_if_match(header(app, "If-Match"))


def query_value(app: APIGatewayRestResolver, name: str) -> str | None:
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


def json_response(status: int, body: object, headers: dict | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=JSON_CONTENT_TYPE,
        body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
        headers=headers or {},
    )


def post_response(item: dict, status: int = 200, headers: dict | None = None) -> Response:
    return json_response(status, item, {"ETag": etag(item["version"]), **(headers or {})})


def with_cache_control(response: dict, *, public: bool) -> dict:
    """Set Cache-Control on a proxy response unless the route set one: 2xx public reads are cacheable."""
    headers = response.get("headers") or {}
    response["headers"] = headers
    named = [*headers, *(response.get("multiValueHeaders") or {})]
    if not any(name.lower() == "cache-control" for name in named):
        status = int(response.get("statusCode", 500))
        if not public or status >= 500 or status == 429:
            headers["Cache-Control"] = PRIVATE
        else:
            headers["Cache-Control"] = PUBLIC if status < 400 else PUBLIC_ERROR
    return response
