"""One upload → its renditions and `MediaProcessed`, or quarantine and `MediaRejected`.

A rejection is an outcome, not a failure: the original moves to quarantine/, the event says why, and
the message is done (never retried). Only what may succeed on a retry raises: S3 or SNS errors, a
crash. The use case is idempotent on the object's ETag (wiring.py wraps `process` in Powertools
idempotency), and its renditions are deterministic, so a redelivery writes the same bytes and sends no
second event. Pillow is imported on first use, so the upload API never pays for it.
"""

from __future__ import annotations

import contextlib
from typing import Any

from media import schemas
from media.dal.store import EventSink, MediaStore, ObjectMissing
from media.logic.rejections import Rejected


class ThumbnailService:
    def __init__(self, store: MediaStore, events: EventSink, logger: Any = None):
        self.store = store
        self.events = events
        self.logger = logger

    def _log(self, message: str, **extra: Any) -> None:
        if self.logger is not None:
            self.logger.info(message, extra=extra)

    def process(self, upload: dict) -> dict:
        """`upload` is `{bucket, key, etag}` from the S3 notification; returns what happened."""
        key = upload["key"]
        match = schemas.UPLOAD_KEY.fullmatch(key)
        if match is None:
            # not an upload this service issued (keys are uploads/<uuid>.<ext>): keep it away from the CDN
            self._quarantine(key)
            self._log("foreign key quarantined", key=key)
            return {"outcome": "ignored", "key": key}
        upload_id, extension = match.groups()
        info = self.store.head(key)
        if info is None:
            self._log("upload already gone", key=key)
            return {"outcome": "missing", "key": key}
        try:
            rendered = self._render(key, extension, info.size, info.content_type)
        except Rejected as rejection:
            return self._reject(upload_id, key, rejection)
        except ObjectMissing:
            self._log("upload gone while processing", key=key)
            return {"outcome": "missing", "key": key}
        renditions = []
        for rendition in rendered.renditions:
            rendition_key = schemas.rendition_key(upload_id, rendition.width, rendition.extension)
            self.store.put_rendition(rendition_key, rendition.body, rendition.content_type)
            renditions.append(
                {
                    "key": rendition_key,
                    "width": rendition.width,
                    "height": rendition.height,
                    "format": rendition.format,
                    "bytes": len(rendition.body),
                }
            )
        data = {"id": upload_id, "renditions": renditions, "width": rendered.width, "height": rendered.height}
        self.events.publish("MediaProcessed", data)
        self._log("upload processed", id=upload_id, renditions=len(renditions))
        return {"outcome": "processed", **data}

    def _render(self, key: str, extension: str, size: int, content_type: str) -> Any:
        if size == 0:
            raise Rejected("empty", "the file is 0 bytes")
        if size > schemas.MAX_UPLOAD_BYTES:
            raise Rejected("too-large", f"{size} bytes; the limit is {schemas.MAX_UPLOAD_BYTES}")
        declared = schemas.EXTENSION_TYPE[extension]
        if content_type.split(";")[0].strip().lower() != declared:
            raise Rejected("unsupported-format", f"stored as {content_type[:60]!r}, the key says {declared}")
        from media.logic import imaging

        try:
            return imaging.render(self.store.read(key), schemas.PILLOW_FORMAT[declared])
        except MemoryError:
            raise Rejected("too-large", "decoding it needs more memory than the function has") from None

    def _quarantine(self, key: str) -> None:
        with contextlib.suppress(ObjectMissing):  # moved by an earlier delivery
            self.store.move(key, schemas.quarantine_key(key))

    def _reject(self, upload_id: str, key: str, rejection: Rejected) -> dict:
        self._quarantine(key)
        data = {"id": upload_id, "reason": rejection.reason}
        if rejection.detail:
            data["detail"] = rejection.detail
        self.events.publish("MediaRejected", data)
        self._log("upload rejected", id=upload_id, reason=rejection.reason, detail=rejection.detail)
        return {"outcome": "rejected", **data}
