"""What the use cases need from the media bucket and the events topic: small interfaces tests can swap.

Storage errors stay storage-shaped (`ObjectMissing`); the use cases decide what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

RENDITION_CACHE_CONTROL = "public, max-age=31536000, immutable"


class StoreError(Exception):
    pass


class ObjectMissing(StoreError):
    """No object under that key (never uploaded, or already moved to quarantine)."""


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    content_type: str
    etag: str


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]


class MediaStore(Protocol):
    def presign_post(self, key: str, *, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        """A browser form upload of exactly this key and type, 1 to `max_bytes` long, valid `expires_in` s."""
        ...

    def head(self, key: str) -> ObjectInfo | None: ...

    def read(self, key: str) -> bytes:
        """The whole object; raises ObjectMissing."""
        ...

    def put_rendition(self, key: str, body: bytes, content_type: str) -> None:
        """Write a rendition with the immutable RENDITION_CACHE_CONTROL."""
        ...

    def move(self, key: str, destination: str) -> None:
        """Copy to `destination`, then delete the original; raises ObjectMissing."""
        ...


class EventSink(Protocol):
    def publish(self, type_: str, data: dict) -> dict:
        """Send one envelope `{id, type, version, time, source, data}` and return it."""
        ...
