"""Issuing an upload: admins only, one of three image types, at most 25 MB, a key the caller cannot pick.

The presigned POST's policy pins the key, the Content-Type and the content-length range, so S3 (and
localcloud's front) refuses a form that changes any of them; nothing else is issued for bad input.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from common.errors import BadRequest, Forbidden
from common.validation import SchemaValidator

from media import schemas
from media.dal.store import MediaStore

ADMINS = "admins"
_validate = SchemaValidator(schemas.CREATE_UPLOAD)


class UploadService:
    def __init__(
        self,
        store: MediaStore,
        *,
        ttl_seconds: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ):
        self.store = store
        self.ttl_seconds = ttl_seconds
        self.clock = clock
        self.new_id = new_id

    def create(self, groups: frozenset[str], body: object) -> dict:
        if ADMINS not in groups:
            raise Forbidden("only admins upload media", code="NotAnAdmin")
        request = _validate(body)
        content_type = request["contentType"]
        _, extensions = schemas.CONTENT_TYPES[content_type]
        stem, dot, extension = request["filename"].rpartition(".")
        if dot and stem and extension.lower() not in extensions:
            raise BadRequest(
                f"a {content_type} file cannot be named .{extension[:10]} (expected .{' or .'.join(extensions)})",
                code="ExtensionMismatch",
            )
        upload_id = self.new_id()
        key = schemas.upload_key(upload_id, content_type)
        expires = self.clock() + timedelta(seconds=self.ttl_seconds)
        post = self.store.presign_post(
            key, content_type=content_type, max_bytes=request["size"], expires_in=self.ttl_seconds
        )
        return {
            "id": upload_id,
            "key": key,
            "url": post.url,
            "fields": post.fields,
            "maxBytes": request["size"],
            "expiresAt": expires.isoformat(timespec="seconds").replace("+00:00", "Z"),
        }
