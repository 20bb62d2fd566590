"""todos' openapi.yaml as the tests use it; tests/support/openapi.py does the work for every service."""

from __future__ import annotations

from tests.support import openapi
from tests.support.openapi import to_json_schema

OPENAPI = openapi.ROOT / "services" / "todos" / "openapi.yaml"
TODOS = openapi.OpenApi(OPENAPI)

__all__ = ["OPENAPI", "TODOS", "to_json_schema"]


def document() -> dict:
    return TODOS.document


schema = TODOS.schema
routes = TODOS.routes
operation = TODOS.operation
parameter = TODOS.parameter
route_of = TODOS.route_of
check_response = TODOS.check_response
