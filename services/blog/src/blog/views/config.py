"""aggregate-views settings, read from the environment once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.settings import Var, load

SPEC = [
    Var("POSTS_TABLE"),
    Var("POWERTOOLS_SERVICE_NAME", default="blog"),
]


@dataclass(frozen=True)
class Settings:
    posts_table: str
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    values = load(SPEC, environ)
    return Settings(posts_table=values["POSTS_TABLE"], service_name=values["POWERTOOLS_SERVICE_NAME"])
