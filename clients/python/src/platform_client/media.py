"""MyBlog's photo uploads (services/media/openapi.yaml, admins): the API signs a POST form, and the file
goes straight to S3 with it. The form's policy fixes the key, the content type and the size, so S3 itself
refuses anything else; renditions follow asynchronously (MediaProcessed on the media topic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import requests

from platform_client import errors
from platform_client import operations as ops
from platform_client.models import CreateUpload, Upload
from platform_client.transport import TokenSource, Transport

CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


class MediaClient:
    def __init__(self, base_url: str, token: TokenSource, **transport: Any):
        self.transport = Transport(base_url, token=token, **transport)

    def create_upload(self, request: CreateUpload) -> Upload:
        return cast(Upload, self.transport.call(ops.CREATE_UPLOAD, body=request).body)

    def upload(self, path: str | Path) -> Upload:
        """Upload one photo; returns its upload (`id` is what a post's cover names)."""
        path = Path(path)
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None:
            raise errors.ClientError(f"{path.name}: only {', '.join(sorted(CONTENT_TYPES))} photos are taken")
        data = path.read_bytes()
        request = cast(CreateUpload, {"filename": path.name, "contentType": content_type, "size": len(data)})
        upload = self.create_upload(request)
        answer = requests.post(upload["url"], data=upload["fields"], files={"file": (path.name, data, content_type)},
                               timeout=self.transport.timeout)  # fmt: skip
        if answer.status_code >= 300:
            raise errors.from_response(answer.status_code, answer.content, dict(answer.headers))
        return upload
