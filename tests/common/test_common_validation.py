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


def _rejects(schema, data) -> str:
    with pytest.raises(BadRequest) as caught:
        SchemaValidator(schema)(data)
    return caught.value.message


@pytest.mark.parametrize(
    ("pattern", "bad", "good"),
    [
        (r"^\d{4}$", "2025\n", "2025"),
        (r"^\d{4}$", "\u0662\u0660\u0662\u0665", "2025"),
        (r"\S", "\ufeff", "\x85"),
        (r"^[$]\w$", "$\u00e9", "$e"),
    ],
)
def test_patterns_have_their_ecma_262_meaning(pattern, bad, good):
    schema = {"type": "string", "pattern": pattern}
    assert SchemaValidator(schema)(good) == good
    assert _rejects(schema, bad) == f"body must match pattern {pattern}"


def test_patterns_are_translated_wherever_a_schema_can_stand():
    digits = {"type": "string", "pattern": r"^\d+$"}
    schema = {
        "type": "object",
        "properties": {"pattern": digits, "list": {"type": "array", "items": digits}},
        "patternProperties": {r"^x\d$": digits},
        "additionalProperties": {"anyOf": [digits, {"type": "integer"}]},
    }
    validate = SchemaValidator(schema)
    assert validate({"pattern": "1", "list": ["2"], "x1": "3", "other": 4})
    assert validate({"x\u0663": 5})  # not a patternProperties key in ECMA-262, so additionalProperties
    for bad in ({"pattern": "\u0663"}, {"list": ["1\n"]}, {"x1": "\uff11"}, {"other": "\u0663"}, {"x1": 5}):
        with pytest.raises(BadRequest):
            validate(bad)


def test_a_property_named_pattern_is_not_a_pattern():
    schema = {"type": "object", "properties": {"pattern": {"type": "string"}}, "required": ["pattern"]}
    assert SchemaValidator(schema)({"pattern": "(unbalanced"}) == {"pattern": "(unbalanced"}


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date", "2024-02-29", "\u0662\u0660\u0662\u0664-02-29"),
        ("date-time", "2025-01-05T10:00:00Z", "2025-01-05T\u0661\u0660:00:00Z"),
        ("time", "10:00:00", "\u0661\u0660:00:00"),
    ],
)
def test_date_and_time_formats_take_ascii_digits_only(fmt, good, bad):
    schema = {"type": "string", "format": fmt}
    assert SchemaValidator(schema)(good) == good
    assert _rejects(schema, bad) == f"body must be {fmt}"


def test_a_pattern_python_cannot_match_the_same_way_fails_loudly():
    from common.ecma_regex import UnsupportedPattern

    with pytest.raises(UnsupportedPattern):
        SchemaValidator({"type": "string", "pattern": r"(a)\1"})("aa")


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"name": "\ud800"}, "body.name"),
        ({"name": "a", "when": "x\udfff"}, "body.when"),
        ({"\udbff": 1}, "a key of body"),
    ],
)
def test_lone_surrogates_are_refused_naming_the_field(data, where):
    assert _rejects({"type": "object"}, data) == f"{where} holds a lone surrogate, which is not Unicode text"


def test_astral_characters_are_text():
    assert SchemaValidator(SCHEMA)({"name": "\U0001f600"}) == {"name": "\U0001f600"}
