"""The request contract of the todos API as JSON Schema (draft 7).

openapi.yaml holds the same schemas in OpenAPI 3.0 form (`nullable` instead of a `null` type); a test
checks the two stay equal, so the code validates exactly what the published contract says.
"""

from __future__ import annotations

TITLE_MAX = 200
NOTES_MAX = 4096
MAX_BODY_BYTES = 16 * 1024
LIMIT_MIN, LIMIT_MAX, LIMIT_DEFAULT = 1, 100, 20
TODO_ID_PATTERN = "^[0-7][0-9A-HJKMNP-TV-Z]{25}$"

_TITLE = {"type": "string", "minLength": 1, "maxLength": TITLE_MAX, "pattern": "\\S"}
_NOTES = {"type": ["string", "null"], "maxLength": NOTES_MAX}
_DUE = {"type": ["string", "null"], "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"}
_DONE = {"type": "boolean"}

CREATE_TODO = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {"title": _TITLE, "notes": _NOTES, "due": _DUE},
}

REPLACE_TODO = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title"],
    "properties": {"title": _TITLE, "notes": _NOTES, "due": _DUE, "done": _DONE},
}

PATCH_TODO = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {"title": _TITLE, "notes": _NOTES, "due": _DUE, "done": _DONE},
}
