"""The media functions' settings, read from the environment once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.settings import Var, load

SPEC = [
    Var("MEDIA_BUCKET"),
    Var("EVENTS_TOPIC_ARN", required=False),
    Var("IDEMPOTENCY_TABLE", required=False),
    Var("UPLOAD_URL_TTL_SECONDS", type=int, default=300),
    Var("POWERTOOLS_SERVICE_NAME", default="media"),
]


@dataclass(frozen=True)
class Settings:
    bucket: str
    topic_arn: str | None
    idempotency_table: str | None
    upload_ttl_seconds: int
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    values = load(SPEC, environ)
    return Settings(
        bucket=values["MEDIA_BUCKET"],
        topic_arn=values["EVENTS_TOPIC_ARN"] or None,
        idempotency_table=values["IDEMPOTENCY_TABLE"] or None,
        upload_ttl_seconds=values["UPLOAD_URL_TTL_SECONDS"],
        service_name=values["POWERTOOLS_SERVICE_NAME"],
    )
