"""Attach an upload's renditions to the covers that use it.

A post's cover is `{"id": <upload id>, "alt"?: ...}` with the upload id also in the top-level `coverId`
(the CoverIndex key). When `MediaProcessed` arrives, every post whose `coverId` is that upload gets
`cover = {...its cover, id, width, height, renditions: [{url, key, width, height, format, bytes}]}`.

- Idempotent: a cover that already holds these renditions is not written again (so a redelivered event
  changes nothing and makes no stream record).
- A post whose cover changed meanwhile is left alone (the write is conditioned on `coverId`).
- Every processed upload is also kept in the covers table (`{id, width, height, renditions}` as the event
  gave them), because the upload usually comes first and its post later: the posts API calls
  `CoverService.resolve(cover)` when a post's cover is set, and gets the renditions if they are known.
  An upload no post uses yet (a body image, or a post not written yet) changes no post.
- Messages of other types (MediaRejected) are ignored; a malformed MediaProcessed raises, so the queue
  retries it and then moves it to the DLQ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from common.errors import BadRequest

HANDLED = "MediaProcessed"


class InvalidMessage(ValueError):
    """Not a MediaProcessed envelope the schema accepts."""


class CoverStore(Protocol):
    def posts_with_cover(self, media_id: str) -> list[str]: ...

    def cover_of(self, slug: str) -> tuple[str | None, Any]:
        """(coverId, cover) of the post, or (None, None) when there is no such post."""
        ...

    def set_cover(self, slug: str, media_id: str, cover: dict) -> bool:
        """Write the cover if the post's coverId is still `media_id`; False when it is not."""
        ...

    def save_media(self, data: dict) -> None:
        """Keep a processed upload's MediaProcessed data (a put: the same event gives the same item)."""
        ...

    def media(self, media_id: str) -> dict | None: ...


def envelope_of(body: str) -> dict:
    """The envelope in an SQS body: raw SNS delivery, or the SNS notification JSON around it."""
    try:
        message = json.loads(body)
        if isinstance(message, dict) and message.get("Type") == "Notification" and "Message" in message:
            message = json.loads(message["Message"])
    except (TypeError, ValueError):
        raise InvalidMessage("the message is not JSON") from None
    if not isinstance(message, dict):
        raise InvalidMessage("the message is not a JSON object")
    return message


def cover_from(data: dict, current: Any, media_path: str) -> dict:
    base = dict(current) if isinstance(current, dict) else {}
    renditions = [
        {
            "url": media_path + r["key"],
            "key": r["key"],
            "width": r["width"],
            "height": r["height"],
            "format": r["format"],
            "bytes": r["bytes"],
        }
        for r in data["renditions"]
    ]
    return {**base, "id": data["id"], "width": data["width"], "height": data["height"], "renditions": renditions}


class CoverService:
    def __init__(self, store: CoverStore, validate: Callable[[Any], Any] | None = None, media_path: str = "/media/"):
        """`validate` checks MediaProcessed envelopes: only `handle` needs it (the posts API only resolves)."""
        self.store = store
        self.validate = validate
        self.media_path = media_path

    def handle(self, body: str) -> list[str]:
        """Apply one message; returns the slugs whose cover was written."""
        envelope = envelope_of(body)
        if envelope.get("type") != HANDLED:
            return []
        if self.validate is None:
            raise TypeError("this CoverService has no validator: it only resolves covers")
        try:
            self.validate(envelope)
        except BadRequest as exc:
            raise InvalidMessage(exc.message) from None
        return self.attach(envelope["data"])

    def resolve(self, cover: Any) -> Any:
        """A cover as a post is about to store it (`{"id", ...}`), with its renditions when the upload is
        processed already; anything else is returned as it is."""
        if not isinstance(cover, dict) or not isinstance(cover.get("id"), str):
            return cover
        media = self.store.media(cover["id"])
        return cover if media is None else cover_from(media, cover, self.media_path)

    def attach(self, data: dict) -> list[str]:
        self.store.save_media(data)
        written = []
        for slug in self.store.posts_with_cover(data["id"]):
            cover_id, current = self.store.cover_of(slug)
            if cover_id != data["id"]:
                continue  # the index lags, or the cover changed
            cover = cover_from(data, current, self.media_path)
            if cover == current:
                continue
            if self.store.set_cover(slug, data["id"], cover):
                written.append(slug)
        return written
