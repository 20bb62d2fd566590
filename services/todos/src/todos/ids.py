"""Todo ids: ULIDs that sort by creation time, so a reverse key order lists the newest first.

Ids made by one process are strictly increasing even within one millisecond (common.ulids), so todos
created back to back never list out of order.
"""

from __future__ import annotations

from functools import cache

from common import ecma_regex
from common.ulids import new_ulid, ulid_ms

from todos.schemas import TODO_ID_PATTERN


@cache
def _valid():
    """The id pattern as the published schema means it (no trailing "\n"), compiled on first use."""
    return ecma_regex.compile(TODO_ID_PATTERN)


def new_todo_id(now_ms: int | None = None) -> str:
    return new_ulid(now_ms)


def is_todo_id(value: str) -> bool:
    return isinstance(value, str) and bool(_valid().search(value))


def created_ms(todo_id: str) -> int:
    if not is_todo_id(todo_id):
        raise ValueError(f"not a todo id: {todo_id[:40]!r}")
    return ulid_ms(todo_id)
