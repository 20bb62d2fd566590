"""Todo ids: ULIDs that sort by creation time, so a reverse key order lists the newest first.

Ids made by one process are strictly increasing even within one millisecond (the random part is
incremented), so todos created back to back never list out of order.
"""

from __future__ import annotations

import threading
import time

from common import ecma_regex
from ulid import ULID

from todos.schemas import TODO_ID_PATTERN

_VALID = ecma_regex.compile(TODO_ID_PATTERN)  # as the published schema means it: no trailing "\n"
_lock = threading.Lock()
_last = 0


def new_todo_id(now_ms: int | None = None) -> str:
    global _last
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    candidate = int.from_bytes(ULID.from_timestamp(millis / 1000).bytes, "big")
    with _lock:
        if candidate <= _last:
            candidate = _last + 1
        _last = candidate
    return str(ULID.from_int(candidate))


def is_todo_id(value: str) -> bool:
    return isinstance(value, str) and bool(_VALID.search(value))


def created_ms(todo_id: str) -> int:
    return ULID.from_str(todo_id).milliseconds
