"""JSON Schema validation of request bodies, compiled once per process with fastjsonschema.

fastjsonschema ships with Powertools' validation extra and keeps pydantic off the cold path. A failure
becomes a 400 whose message names the offending field.

Strings must be Unicode text: JSON can spell a lone surrogate (`"\\ud800"`) and Python decodes it, but
DynamoDB and every UTF-8 encoder refuse it, so it is a 400 here rather than a 500 at the store.

The schema means what the published OpenAPI document says, not what Python's `re` would make of it:
every `pattern` (and `patternProperties` key) is translated from ECMA-262 first (common/ecma_regex.py),
and the date and time formats take ASCII digits only, as RFC 3339 does (fastjsonschema's own regexes use
`\\d`, which takes any Unicode digit).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

from common import ecma_regex
from common.errors import BadRequest

# Keywords whose value is a schema, a list of schemas, or a name → schema map (draft 7 and 2020-12).
_SCHEMA_KEYWORDS = ("additionalItems", "additionalProperties", "contains", "propertyNames", "if", "then", "else")
_SCHEMA_KEYWORDS += ("not", "unevaluatedItems", "unevaluatedProperties")
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_MAP_KEYWORDS = ("properties", "definitions", "$defs", "dependentSchemas", "dependencies")


_SURROGATE = "[\ud800-\udfff]"  # compiled (and cached) by `re` on first use, not at cold start


def lone_surrogate_path(value: Any, path: str = "body") -> str | None:
    """Where in decoded JSON a string or a key holds a lone surrogate; None when it is all Unicode text.

    One C-speed encode answers the common case; only a value that fails it is walked for the place.
    """
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    if isinstance(value, str):
        return path if re.search(_SURROGATE, value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and re.search(_SURROGATE, key):
                return f"a key of {path}"
            found = lone_surrogate_path(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


def ecma_schema(schema: Any, translated: dict[str, str] | None = None) -> Any:
    """A copy of `schema` whose patterns are Python patterns with the ECMA-262 meaning.

    `translated` (if given) collects translation → original, to name the original in messages. Only
    schema positions are rewritten: a property that happens to be called "pattern" is left alone.
    """
    if not isinstance(schema, dict):
        return schema
    seen = {} if translated is None else translated
    out = copy.copy(schema)
    if isinstance(schema.get("pattern"), str):
        out["pattern"] = ecma_regex.translate(schema["pattern"])
        seen[out["pattern"]] = schema["pattern"]
    for key in _SCHEMA_KEYWORDS:
        if key in schema:
            out[key] = ecma_schema(schema[key], seen)
    if "items" in schema:
        items = schema["items"]
        out["items"] = [ecma_schema(s, seen) for s in items] if isinstance(items, list) else ecma_schema(items, seen)
    for key in _SCHEMA_LIST_KEYWORDS:
        if isinstance(schema.get(key), list):
            out[key] = [ecma_schema(s, seen) for s in schema[key]]
    for key in _SCHEMA_MAP_KEYWORDS:
        if isinstance(schema.get(key), dict):
            out[key] = {name: ecma_schema(s, seen) for name, s in schema[key].items()}
    if isinstance(schema.get("patternProperties"), dict):
        out["patternProperties"] = {}
        for pattern, sub in schema["patternProperties"].items():
            out["patternProperties"][ecma_regex.translate(pattern)] = ecma_schema(sub, seen)
    return out


def _ascii_formats() -> dict[str, str]:
    """fastjsonschema's own regex for each format that uses `\\d`, in ASCII mode."""
    from fastjsonschema.draft07 import CodeGeneratorDraft07

    return {name: "(?a)" + regex for name, regex in CodeGeneratorDraft07.FORMAT_REGEXS.items() if r"\d" in regex}


class SchemaValidator:
    """Validates against one schema; compiles it on first use so importing a handler stays cheap."""

    def __init__(self, schema: dict, *, name: str = "body"):
        self.schema = schema
        self.name = name
        self._compiled: Callable[[Any], Any] | None = None
        self._originals: dict[str, str] = {}

    def _validator(self) -> Callable[[Any], Any]:
        if self._compiled is None:
            import fastjsonschema

            schema = ecma_schema(self.schema, self._originals)
            self._compiled = fastjsonschema.compile(schema, formats=_ascii_formats(), use_default=False)
        return self._compiled

    def __call__(self, data: Any) -> Any:
        import fastjsonschema

        try:
            valid = self._validator()(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            message = exc.message
            if exc.rule == "pattern" and exc.rule_definition in self._originals:
                message = message.removesuffix(exc.rule_definition) + self._originals[exc.rule_definition]
            if message.startswith("data"):
                message = self.name + message[len("data") :]
            raise BadRequest(message, code="ValidationError") from None
        where = lone_surrogate_path(data, self.name)
        if where:
            raise BadRequest(f"{where} holds a lone surrogate, which is not Unicode text", code="ValidationError")
        return valid
