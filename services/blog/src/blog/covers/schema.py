"""The MediaProcessed contract, read from events/schemas/ (reached through the package's `schemas`
symlink, which `sam build` copies as a folder), so the consumer checks exactly the published schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from common.validation import SchemaValidator

SCHEMAS = Path(__file__).parent / "schemas"
_META = ("$schema", "$id", "title", "description")


def _load(name: str) -> dict:
    document = json.loads((SCHEMAS / name).read_text())
    return {k: v for k, v in document.items() if k not in _META}


@cache
def media_processed() -> SchemaValidator:
    """The envelope and the MediaProcessed.v1 data, as one schema (its `$ref` to the envelope inlined)."""
    typed = _load("MediaProcessed.v1.schema.json")
    typed.pop("allOf", None)
    return SchemaValidator({"allOf": [_load("envelope.schema.json"), typed]}, name="message")
