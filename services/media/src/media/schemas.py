"""The contract of the media API and of the media bucket's keys.

openapi.yaml holds the same request schema; a test keeps the two equal. The key layout is the one the
bucket notification, the CDN and the MediaProcessed schema (events/schemas/) rely on:

    uploads/<id>.<ext>              originals, written by presigned POST only; fire the thumbnail queue
    renditions/<id>/<width>.<ext>   what the CDN serves (immutable)
    quarantine/<id>.<ext>           rejected originals, kept for a human to look at
"""

from __future__ import annotations

import re

MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MAX_BODY_BYTES = 4 * 1024
FILENAME_MAX = 255

# content type → the extension of its key, and the filename extensions it may arrive with
CONTENT_TYPES = {
    "image/jpeg": ("jpg", ("jpg", "jpeg", "jfif")),
    "image/png": ("png", ("png",)),
    "image/webp": ("webp", ("webp",)),
}
# what Pillow must find inside a file of each declared type
PILLOW_FORMAT = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
EXTENSION_TYPE = {ext: content_type for content_type, (ext, _) in CONTENT_TYPES.items()}

UPLOADS_PREFIX = "uploads/"
RENDITIONS_PREFIX = "renditions/"
QUARANTINE_PREFIX = "quarantine/"
UPLOAD_KEY = re.compile(r"uploads/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(jpg|png|webp)")

CREATE_UPLOAD = {
    "type": "object",
    "additionalProperties": False,
    "required": ["filename", "contentType", "size"],
    "properties": {
        "filename": {"type": "string", "minLength": 1, "maxLength": FILENAME_MAX, "pattern": "^[^/\\\\\\u0000]+$"},
        "contentType": {"type": "string", "enum": sorted(CONTENT_TYPES)},
        "size": {"type": "integer", "minimum": 1, "maximum": MAX_UPLOAD_BYTES},
    },
}


def upload_key(upload_id: str, content_type: str) -> str:
    return f"{UPLOADS_PREFIX}{upload_id}.{CONTENT_TYPES[content_type][0]}"


def rendition_key(upload_id: str, width: int, extension: str) -> str:
    return f"{RENDITIONS_PREFIX}{upload_id}/{width}.{extension}"


def quarantine_key(upload_key_: str) -> str:
    return QUARANTINE_PREFIX + upload_key_.removeprefix(UPLOADS_PREFIX)
