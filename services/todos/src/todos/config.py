"""The todos functions' settings, read from the environment once at cold start."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from common.settings import Var, load

SPEC = [
    Var("TABLE_NAME"),
    Var("CURSOR_KEY"),
    Var("DAX_ENDPOINT", required=False),
    Var("IDEMPOTENCY_TABLE", required=False),  # the write function's only: creates' Idempotency-Key records
    Var("POWERTOOLS_SERVICE_NAME", default="todos"),
]


class Settings(NamedTuple):  # immutable, and cheaper to create at cold start than a frozen dataclass
    table_name: str
    cursor_key: str
    dax_endpoint: str | None
    idempotency_table: str | None
    service_name: str


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    values = load(SPEC, environ)
    return Settings(
        table_name=values["TABLE_NAME"],
        cursor_key=values["CURSOR_KEY"],
        dax_endpoint=values["DAX_ENDPOINT"] or None,
        idempotency_table=values["IDEMPOTENCY_TABLE"] or None,
        service_name=values["POWERTOOLS_SERVICE_NAME"],
    )
