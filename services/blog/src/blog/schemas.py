"""The request contract of the posts API as JSON Schema (draft 7); openapi.yaml publishes the same.

A test keeps the two equal, so the code validates exactly what the published contract says.
"""

from __future__ import annotations

SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_MAX = 80
TITLE_MAX = 200
EXCERPT_MAX = 500
BODY_MAX = 100_000
TAGS_MAX = 10
TAG_MAX = 40
MAX_BODY_BYTES = 256 * 1024
LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 50, 10
POPULAR_SIZE = 10

_SLUG = {"type": "string", "minLength": 1, "maxLength": SLUG_MAX, "pattern": SLUG_PATTERN}
_TITLE = {"type": "string", "minLength": 1, "maxLength": TITLE_MAX, "pattern": "\\S"}
_BODY = {"type": "string", "maxLength": BODY_MAX}
_EXCERPT = {"type": "string", "maxLength": EXCERPT_MAX}
_TAGS = {
    "type": "array",
    "maxItems": TAGS_MAX,
    "items": {"type": "string", "minLength": 1, "maxLength": TAG_MAX, "pattern": "\\S"},
}
# An admin names a media upload; its renditions come from the media service (blog.covers).
_COVER = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f-]{36}$"},
        "alt": {"type": "string", "maxLength": 300},
    },
}

CREATE_POST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "body"],
    "properties": {"slug": _SLUG, "title": _TITLE, "body": _BODY, "excerpt": _EXCERPT, "tags": _TAGS, "cover": _COVER},
}

REPLACE_POST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "body"],
    "properties": {"title": _TITLE, "body": _BODY, "excerpt": _EXCERPT, "tags": _TAGS, "cover": _COVER},
}

PATCH_POST = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"title": _TITLE, "body": _BODY, "excerpt": _EXCERPT, "tags": _TAGS, "cover": _COVER},
}
