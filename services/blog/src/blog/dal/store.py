"""What the post use cases need from storage, and the storage-shaped errors they translate.

A stored post is a dict in table shape: `slug`, `title`, `body` (Markdown), `html` (sanitised), `excerpt`,
`tags`, `tagSlugs`, `cover`, `status` (`draft` or `published`), `publishedAt` (published posts only, so
drafts are not in the listing index), `createdAt`, `updatedAt`, `version`, and `views` (a counter the view
pipeline adds to, never written here).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from common.conditional import ItemMissing, StoreError, VersionMismatch

__all__ = ["ItemMissing", "Page", "PostStore", "SlugTaken", "StoreError", "VersionMismatch"]


class SlugTaken(StoreError):
    """A post with that slug exists already."""


class Page(NamedTuple):  # immutable, and cheaper to create at cold start than a frozen dataclass
    items: list[dict]
    last_key: dict | None  # where the next page starts, when there is one


class PostStore(Protocol):
    def insert(self, item: dict) -> None:
        """Raises SlugTaken when the slug is in use."""
        ...

    def get(self, slug: str) -> dict | None: ...

    def published(self, *, limit: int, after: dict | None, tag_slug: str | None) -> Page:
        """Published posts, newest first, strictly after the key `after`."""
        ...

    def popular(self, *, limit: int) -> list[dict]:
        """Published posts with the most views first."""
        ...

    def update(
        self, slug: str, *, set_fields: dict, remove_fields: tuple[str, ...], expected_version: int | None
    ) -> dict:
        """Apply the change and bump the version; raises ItemMissing or VersionMismatch; returns the new item."""
        ...

    def delete(self, slug: str, *, expected_version: int | None) -> None: ...

    def all_published(self) -> list[dict]:
        """Every published post (the site renderer's input)."""
        ...
