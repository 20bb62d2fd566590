"""What the use cases need from storage: a small interface tests can swap for another implementation.

Items cross this boundary as plain dicts in API shape (`todoId`, `title`, `notes`, `due`, `done`,
`createdAt`, `updatedAt`, `version` as int); the owner is always passed separately and never stored in
them, so one user's key can never leak into another's response.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from common.conditional import ItemMissing, StoreError, VersionMismatch

__all__ = ["ItemMissing", "Page", "StoreError", "TodoStore", "VersionMismatch"]


class Page(NamedTuple):  # immutable, and cheaper to create at cold start than a frozen dataclass
    items: list[dict]
    has_more: bool


class TodoStore(Protocol):
    def insert(self, owner: str, item: dict) -> None: ...

    def get(self, owner: str, todo_id: str) -> dict | None: ...

    def query(self, owner: str, *, limit: int, after: str | None, done: bool | None) -> Page:
        """Up to `limit` items, newest first, strictly after the id `after`; `has_more` when more match."""
        ...

    def update(
        self,
        owner: str,
        todo_id: str,
        *,
        set_fields: dict,
        clear_fields: tuple[str, ...],
        updated_at: str,
        expected_version: int | None,
    ) -> dict:
        """Apply the change, bump the version; raises ItemMissing or VersionMismatch; returns the new item."""
        ...

    def delete(self, owner: str, todo_id: str, *, expected_version: int | None) -> None: ...
