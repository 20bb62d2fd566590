"""What the read and write handlers share: the resolver, query parsing, responses and their caching.

Every response says how long the CDN and the API stage may keep it. Public reads: a minute in browsers
and at the CDN (the site's pages are invalidated on change, API answers simply expire), errors ten
seconds; admin calls: never.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from common.http import etag, json_response, parse_int_param, register_error_handlers
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


def parse_limit(raw: str | None) -> int:
    return parse_int_param(
        raw,
        name="limit",
        minimum=schemas.LIMIT_MIN,
        maximum=schemas.LIMIT_MAX,
        default=schemas.LIMIT_DEFAULT,
        code="InvalidLimit",
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
