"""The todos use cases. Every operation is scoped to the caller (`owner`): another user's todo is
indistinguishable from one that does not exist (404), so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from common.errors import BadRequest, NotFound, PreconditionFailed
from common.idempotency import IdempotentCreates, run_once
from common.pagination import CursorCodec
from common.validation import SchemaValidator

from todos import ids, schemas
from todos.dal.store import ItemMissing, TodoStore, VersionMismatch

_validate_create = SchemaValidator(schemas.CREATE_TODO)
_validate_replace = SchemaValidator(schemas.REPLACE_TODO)
_validate_patch = SchemaValidator(schemas.PATCH_TODO)
_CLEARABLE = ("notes", "due")


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> datetime:
    return datetime.now(UTC)


def _check_due(body: dict) -> None:
    due = body.get("due")
    if due is None:
        return
    try:
        date.fromisoformat(due)
    except ValueError:
        raise BadRequest(f"body.due must be a calendar date YYYY-MM-DD, not {due!r}", code="ValidationError") from None


def _not_found(todo_id: str) -> NotFound:
    return NotFound(f"todo {todo_id} not found", code="TodoNotFound")


def _stale(todo_id: str, expected: int, current: int) -> PreconditionFailed:
    return PreconditionFailed(f"todo {todo_id} is at version {current}, not {expected}", code="VersionMismatch")


class TodoService:
    def __init__(
        self,
        store: TodoStore,
        cursors: CursorCodec,
        *,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[int], str] = ids.new_todo_id,
        creates: IdempotentCreates | None = None,
    ):
        self.store = store
        self.cursors = cursors
        self.clock = clock
        self.new_id = new_id
        self.creates = creates

    @staticmethod
    def _scope(owner: str, done: bool | None) -> str:
        return f"todos:list:{owner}:done={'any' if done is None else str(done).lower()}"

    def list(self, owner: str, *, limit: int = schemas.LIMIT_DEFAULT, cursor: str | None = None, done=None) -> dict:
        if not schemas.LIMIT_MIN <= limit <= schemas.LIMIT_MAX:
            raise BadRequest(f"limit must be between {schemas.LIMIT_MIN} and {schemas.LIMIT_MAX}", code="InvalidLimit")
        scope = self._scope(owner, done)
        after = None
        if cursor is not None:
            position = self.cursors.decode(cursor, scope)
            after = position.get("after")
            if not ids.is_todo_id(after):
                raise BadRequest("cursor is invalid", code="InvalidCursor")
        page = self.store.query(owner, limit=limit, after=after, done=done)
        next_cursor = None
        if page.has_more and page.items:
            next_cursor = self.cursors.encode({"after": page.items[-1]["todoId"]}, scope)
        return {"items": page.items, "nextCursor": next_cursor}

    def get(self, owner: str, todo_id: str) -> dict:
        if not ids.is_todo_id(todo_id):
            raise _not_found(todo_id)
        item = self.store.get(owner, todo_id)
        if item is None:
            raise _not_found(todo_id)
        return item

    def create(
        self, owner: str, body: object, *, idempotency_key: str | None = None, lambda_context: Any = None
    ) -> dict:
        """A new todo; with a key, a retry of the same (owner, key, body) gets the first todo again."""
        _validate_create(body)
        _check_due(body)
        return run_once(self.creates, owner, idempotency_key, body, lambda: self._insert(owner, body), lambda_context)

    def _insert(self, owner: str, body: dict) -> dict:
        now = self.clock()
        todo_id = self.new_id(int(now.timestamp() * 1000))
        stamp = iso_millis(now)
        item = {
            "todoId": todo_id,
            "title": body["title"],
            "notes": body.get("notes"),
            "due": body.get("due"),
            "done": False,
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
        }
        self.store.insert(owner, item)
        return item

    def replace(self, owner: str, todo_id: str, body: object, expected_version: int | None) -> dict:
        _validate_replace(body)
        _check_due(body)
        fields = {
            "title": body["title"],
            "notes": body.get("notes"),
            "due": body.get("due"),
            "done": body.get("done", False),
        }
        return self._update(owner, todo_id, fields, expected_version)

    def patch(self, owner: str, todo_id: str, body: object, expected_version: int | None) -> dict:
        _validate_patch(body)
        _check_due(body)
        return self._update(owner, todo_id, dict(body), expected_version)

    def delete(self, owner: str, todo_id: str, expected_version: int | None) -> None:
        if not ids.is_todo_id(todo_id):
            raise _not_found(todo_id)
        try:
            self.store.delete(owner, todo_id, expected_version=expected_version)
        except ItemMissing:
            raise _not_found(todo_id) from None
        except VersionMismatch as mismatch:
            raise _stale(todo_id, expected_version, mismatch.current_version) from None

    def _update(self, owner: str, todo_id: str, fields: dict, expected_version: int | None) -> dict:
        if not ids.is_todo_id(todo_id):
            raise _not_found(todo_id)
        set_fields = {name: value for name, value in fields.items() if value is not None}
        clear_fields = tuple(name for name in _CLEARABLE if name in fields and fields[name] is None)
        try:
            return self.store.update(
                owner,
                todo_id,
                set_fields=set_fields,
                clear_fields=clear_fields,
                updated_at=iso_millis(self.clock()),
                expected_version=expected_version,
            )
        except ItemMissing:
            raise _not_found(todo_id) from None
        except VersionMismatch as mismatch:
            raise _stale(todo_id, expected_version, mismatch.current_version) from None
