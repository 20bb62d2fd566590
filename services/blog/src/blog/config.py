"""The blog functions' settings, read from the environment once at cold start.

Each function reads only what it needs: the spec names every variable once, with `required=False` for
those that only some functions get (the template gives each function its own set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from common.settings import ConfigError, Var, load

SPEC = [
    Var("TABLE_NAME", required=False),
    Var("CURSOR_KEY", required=False),
    Var("DAX_ENDPOINT", required=False),
    Var("TOPIC_ARN", required=False),
    Var("IDEMPOTENCY_TABLE", required=False),
    Var("COVERS_TABLE", required=False),
    Var("SITE_BUCKET", required=False),
    Var("DISTRIBUTION_ID", required=False),
    Var("SITE_URL", required=False),
    Var("SITE_NAME", default="MyBlog"),
    Var("PAGE_SIZE", type=int, default=10),
    Var("POWERTOOLS_SERVICE_NAME", default="blog"),
]


class Settings(NamedTuple):  # immutable, and cheaper to create at cold start than a frozen dataclass
    table_name: str
    cursor_key: str | None
    dax_endpoint: str | None
    topic_arn: str | None
    idempotency_table: str | None
    covers_table: str | None
    site_bucket: str | None
    distribution_id: str | None
    site_url: str | None
    site_name: str
    page_size: int
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None, *, needs: tuple[str, ...] = ()) -> Settings:
    """Every function needs TABLE_NAME; `needs` names the other variables this function cannot run without."""
    values = load(SPEC, environ)
    missing = [name for name in ("TABLE_NAME", *needs) if not values.get(name)]
    if missing:
        raise ConfigError("invalid configuration: " + "; ".join(f"{name} is not set" for name in missing))
    return Settings(
        table_name=values["TABLE_NAME"],
        cursor_key=values["CURSOR_KEY"] or None,
        dax_endpoint=values["DAX_ENDPOINT"] or None,
        topic_arn=values["TOPIC_ARN"] or None,
        idempotency_table=values["IDEMPOTENCY_TABLE"] or None,
        covers_table=values["COVERS_TABLE"] or None,
        site_bucket=values["SITE_BUCKET"] or None,
        distribution_id=values["DISTRIBUTION_ID"] or None,
        site_url=values["SITE_URL"] or None,
        site_name=values["SITE_NAME"],
        page_size=values["PAGE_SIZE"],
        service_name=values["POWERTOOLS_SERVICE_NAME"],
    )
