"""Lambda event filtering (FilterCriteria): which records an event source mapping passes to its function.

The pattern language is EventBridge's subset that Lambda accepts: exact values, null, prefix, suffix,
equals-ignore-case, anything-but, numeric ranges and exists, OR inside a list, AND across keys, OR
across filters. Patterns are validated once, when the mapping is built, so a bad pattern is an error
naming the mapping instead of a silent mismatch later.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {"=", "<", "<=", ">", ">="}
_STRING_OPS = {"prefix", "suffix", "equals-ignore-case"}


class FilterError(ValueError):
    """A FilterCriteria pattern Lambda would reject."""


class Filters:
    """The compiled `FilterCriteria.Filters` of one mapping: a record passes if any pattern matches."""

    def __init__(self, patterns: list[dict]):
        self.patterns = patterns

    @classmethod
    def from_criteria(cls, criteria: dict | None) -> Filters:
        raw = (criteria or {}).get("Filters") or []
        patterns = []
        for index, entry in enumerate(raw):
            text = entry.get("Pattern") if isinstance(entry, dict) else None
            if text is None:
                raise FilterError(f"Filters[{index}] has no Pattern")
            pattern = json.loads(text) if isinstance(text, str) else text
            if not isinstance(pattern, dict):
                raise FilterError(f"Filters[{index}].Pattern must be a JSON object, got {text!r}")
            _validate(pattern, f"Filters[{index}].Pattern")
            patterns.append(pattern)
        return cls(patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, view: dict) -> bool:
        """`view` is the record as the patterns see it (see the `*_view` helpers)."""
        return not self.patterns or any(_match_object(p, view) for p in self.patterns)


def sqs_view(record: dict) -> dict:
    """SQS patterns address `body` as parsed JSON (or the plain string when it is not JSON)."""
    return {**record, "body": _maybe_json(record.get("body"))}


def kinesis_view(record: dict) -> dict:
    """Kinesis patterns address `data` (base64-decoded, then parsed as JSON when it is JSON)."""
    decoded = _decode_base64(record.get("kinesis", {}).get("data"))
    return {**record, "data": decoded, "kinesis": {**record.get("kinesis", {}), "data": decoded}}


def dynamodb_view(record: dict) -> dict:
    """DynamoDB patterns address the record itself (`eventName`, `dynamodb.NewImage...`)."""
    return record


def _maybe_json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _decode_base64(data: Any) -> Any:
    if not isinstance(data, str):
        return data
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data
    try:
        return _maybe_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return data


def _validate(pattern: dict, where: str) -> None:
    if not pattern:
        raise FilterError(f"{where}: empty object")
    for key, sub in pattern.items():
        path = f"{where}.{key}"
        if isinstance(sub, dict):
            _validate(sub, path)
        elif isinstance(sub, list):
            if not sub:
                raise FilterError(f"{path}: empty list of values")
            for matcher in sub:
                _validate_matcher(matcher, path)
        else:
            raise FilterError(f"{path}: values must be in a list, got {sub!r}")


def _validate_matcher(matcher: Any, path: str) -> None:
    if matcher is None or isinstance(matcher, (str, bool, int, float)):
        return
    if not isinstance(matcher, dict) or len(matcher) != 1:
        raise FilterError(f"{path}: unsupported matcher {matcher!r}")
    ((op, arg),) = matcher.items()
    if op in _STRING_OPS:
        if op != "equals-ignore-case" and isinstance(arg, dict) and set(arg) == {"equals-ignore-case"}:
            arg = arg["equals-ignore-case"]
        if not isinstance(arg, str):
            raise FilterError(f"{path}: {op} needs a string, got {arg!r}")
    elif op == "exists":
        if not isinstance(arg, bool):
            raise FilterError(f"{path}: exists needs true or false, got {arg!r}")
    elif op == "numeric":
        _numeric_conditions(arg, path)
    elif op == "anything-but":
        if isinstance(arg, dict):
            _validate_matcher(arg, path)
        elif isinstance(arg, list):
            if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in arg):
                raise FilterError(f"{path}: anything-but list must hold strings or numbers")
        elif not isinstance(arg, (str, int, float)):
            raise FilterError(f"{path}: unsupported anything-but {arg!r}")
    else:
        raise FilterError(f"{path}: unsupported operator {op!r}")


def _numeric_conditions(arg: Any, path: str) -> list[tuple[str, float]]:
    if not isinstance(arg, list) or not arg or len(arg) % 2:
        raise FilterError(f"{path}: numeric needs [op, value, ...], got {arg!r}")
    pairs = []
    for op, value in zip(arg[::2], arg[1::2], strict=True):
        if op not in _NUMERIC_OPS or isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FilterError(f"{path}: bad numeric condition {op!r} {value!r}")
        pairs.append((op, float(value)))
    return pairs


def _match_object(pattern: dict, value: Any) -> bool:
    for key, sub in pattern.items():
        field = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(sub, dict):
            candidates = field if isinstance(field, list) else [field]
            if not any(isinstance(c, dict) and _match_object(sub, c) for c in candidates):
                return False
        elif not _match_leaf(sub, field):
            return False
    return True


def _match_leaf(matchers: list, field: Any) -> bool:
    values = [] if field is _MISSING else field if isinstance(field, list) else [field]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if matcher["exists"] == (field is not _MISSING):
                return True
            continue
        if any(_match_value(matcher, v) for v in values):
            return True
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _equals(expected: Any, value: Any) -> bool:
    if expected is None:
        return value is None
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and expected == value
    if _is_number(expected):
        return _is_number(value) and math.isclose(float(expected), float(value), rel_tol=0, abs_tol=1e-9)
    return isinstance(value, str) and value == expected


def _match_string_op(op: str, arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    ignore_case = isinstance(arg, dict)
    text = arg["equals-ignore-case"] if ignore_case else arg
    subject = value.lower() if ignore_case else value
    text = text.lower() if ignore_case else text
    if op == "prefix":
        return subject.startswith(text)
    if op == "suffix":
        return subject.endswith(text)
    return value.lower() == arg.lower()


def _match_value(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return _equals(matcher, value)
    ((op, arg),) = matcher.items()
    if op in _STRING_OPS:
        return _match_string_op(op, arg, value)
    if op == "numeric":
        if not _is_number(value):
            return False
        number = float(value)
        return all(_compare(number, cmp, bound) for cmp, bound in _numeric_conditions(arg, "numeric"))
    if op == "anything-but":
        if value is None:
            return False
        if isinstance(arg, dict):
            return isinstance(value, str) and not _match_value(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equals(e, value) for e in excluded)
    return False


def _compare(number: float, op: str, bound: float) -> bool:
    if op == "=":
        return number == bound
    if op == "<":
        return number < bound
    if op == "<=":
        return number <= bound
    if op == ">":
        return number > bound
    return number >= bound
