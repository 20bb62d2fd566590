"""Builds the service once per process from the settings; tests replace it with `use(...)`."""

from __future__ import annotations

import threading

from common.idempotency import IdempotentCreates
from common.pagination import CursorCodec
from common.tables import TableProvider

from todos.config import Settings
from todos.dal.dynamo import DynamoTodoStore
from todos.logic.service import TodoService

_lock = threading.Lock()
_service: TodoService | None = None


def build(settings: Settings, **table_factories) -> TodoService:
    tables = TableProvider(settings.table_name, settings.dax_endpoint, **table_factories)
    creates = IdempotentCreates(settings.idempotency_table, "todos.create") if settings.idempotency_table else None
    return TodoService(DynamoTodoStore(tables), CursorCodec(settings.cursor_key), creates=creates)


def service(settings: Settings) -> TodoService:
    global _service
    if _service is None:
        with _lock:
            if _service is None:
                _service = build(settings)
    return _service


def use(replacement: TodoService | None) -> None:
    """Install a service (or None to build a fresh one from the settings on next use)."""
    global _service
    with _lock:
        _service = replacement
