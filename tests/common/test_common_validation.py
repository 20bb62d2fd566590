"""common.validation: compiled once, errors are 400s naming the field."""

from __future__ import annotations

import pytest
from common.errors import BadRequest
from common.validation import SchemaValidator

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {"name": {"type": "string", "maxLength": 3}, "when": {"type": "string", "format": "date"}},
}


def test_valid_data_passes_unchanged():
    validate = SchemaValidator(SCHEMA)
    assert validate({"name": "abc", "when": "2025-01-31"}) == {"name": "abc", "when": "2025-01-31"}


@pytest.mark.parametrize(
    ("data", "needle"),
    [({"name": 1}, "body.name"), ({"name": "abcd"}, "body.name"), ({}, "name"), ({"name": "a", "x": 1}, "x"),
     ({"name": "a", "when": "2025-13-01"}, "body.when"), ([], "body")],
)  # fmt: skip
def test_errors_name_the_field(data, needle):
    with pytest.raises(BadRequest) as caught:
        SchemaValidator(SCHEMA)(data)
    assert needle in caught.value.message
    assert caught.value.code == "ValidationError"


def test_compiles_lazily_and_once(monkeypatch):
    import fastjsonschema

    compiled = []
    real = fastjsonschema.compile
    monkeypatch.setattr(fastjsonschema, "compile", lambda *a, **k: compiled.append(1) or real(*a, **k))
    validate = SchemaValidator(SCHEMA, name="query")
    assert compiled == []
    validate({"name": "a"})
    validate({"name": "b"})
    assert compiled == [1]
    with pytest.raises(BadRequest, match=r"^query"):
        validate({"name": 5})
