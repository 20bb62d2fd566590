"""attach-cover settings, read from the environment once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from common.settings import Var, load

SPEC = [
    Var("POSTS_TABLE"),
    Var("COVERS_TABLE"),
    Var("COVER_INDEX", default="CoverIndex"),
    Var("MEDIA_PATH", default="/media/"),
    Var("POWERTOOLS_SERVICE_NAME", default="blog"),
]


@dataclass(frozen=True)
class Settings:
    posts_table: str
    covers_table: str
    cover_index: str
    media_path: str
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    values = load(SPEC, environ)
    return Settings(
        posts_table=values["POSTS_TABLE"],
        covers_table=values["COVERS_TABLE"],
        cover_index=values["COVER_INDEX"],
        media_path=values["MEDIA_PATH"],
        service_name=values["POWERTOOLS_SERVICE_NAME"],
    )
