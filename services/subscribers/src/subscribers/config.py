"""The subscribers functions' settings, read from the environment once at cold start.

Each function reads only what it needs: `needs` names the variables it cannot run without (the template
gives each function its own set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from common.settings import ConfigError, Var, load

SPEC = [
    Var("TABLE_NAME"),
    Var("STATUS_INDEX", default="byStatus"),
    Var("TOKEN_KEY_SECRET", required=False),
    Var("IDEMPOTENCY_TABLE", required=False),
    Var("SEND_QUEUE_URL", required=False),
    Var("SENDER", required=False),
    Var("SITE_NAME", default="MyBlog"),
    Var("SITE_URL_PARAMETER", required=False),  # SSM names the blog writes (dal.blog_urls reads them)
    Var("BLOG_API_URL_PARAMETER", required=False),
    Var("MAX_SEND_RATE", type=int, default=14),
    Var("SEND_CONCURRENCY", type=int, default=1),
    Var("POWERTOOLS_SERVICE_NAME", default="subscribers"),
]


class Settings(NamedTuple):  # immutable, and cheaper to create at cold start than a frozen dataclass
    table_name: str
    status_index: str
    token_key_secret: str | None
    idempotency_table: str | None
    send_queue_url: str | None
    sender: str | None
    site_name: str
    site_url_parameter: str | None
    blog_api_url_parameter: str | None
    max_send_rate: int
    send_concurrency: int
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None, *, needs: tuple[str, ...] = ()) -> Settings:
    values = load(SPEC, environ)
    problems = [f"{name} is not set" for name in needs if not values.get(name)]
    if values["MAX_SEND_RATE"] < 1 or values["SEND_CONCURRENCY"] < 1:
        problems.append("MAX_SEND_RATE and SEND_CONCURRENCY must be at least 1")
    if problems:
        raise ConfigError("invalid configuration: " + "; ".join(problems))
    return Settings(*(values[var.name] or (None if not var.default else var.default) for var in SPEC))
