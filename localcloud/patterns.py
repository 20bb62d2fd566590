"""The event pattern language of EventBridge rules, also used (as a subset) by Lambda's FilterCriteria.

One matcher for both. A pattern is validated once, when it is compiled, so a bad pattern is an error
naming where it is wrong instead of a silent mismatch later. Semantics follow aws/event-ruler (the
engine behind EventBridge and Lambda filtering), as its README and compiler define them:

- A pattern is a JSON object; every leaf is a non-empty list of matchers, OR-ed; keys are AND-ed.
- An event array matches if any element matches; arrays of objects are matched element by element
  (two fields of one sub-pattern must match inside the same element); nested arrays are flattened.
- A leaf value is a string, number, boolean or null; an object is never a leaf, so `exists` sees it
  as absent, and so is an empty array. `null` is a present value.
- Exact numbers compare numerically (`5` matches `5.0`); strings never match numbers.
- `anything-but` needs the field to be present and matches any value (of any type) it does not exclude.
- `$or` (EventBridge only) takes two or more objects; keywords may not name fields inside them.

moto's own matcher (`moto.events.models.EventPattern`) flattens the event into dotted keys, which loses
arrays of objects and nested arrays, does not validate operators or argument types, treats `true` as a
number, and lets `numeric` compare non-numbers, so it is not reused.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from functools import lru_cache
from typing import Any

_MISSING = object()
_NUMERIC_OPS = {"=", "<", "<=", ">", ">="}
_CASE_OPS = {"prefix", "suffix"}  # accept {"equals-ignore-case": "..."} as their argument
_BUT_OPS = {"prefix", "suffix", "equals-ignore-case", "wildcard"}
KEYWORDS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr", "$or"}
)
EVENTBRIDGE = KEYWORDS
LAMBDA = frozenset({"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists"})


class PatternError(ValueError):
    """A pattern the service would reject; the message says where and why."""


class EventPattern:
    """A validated pattern: `match(event)` says whether the event (a parsed JSON object) matches."""

    def __init__(self, pattern: dict, dialect: frozenset[str] = EVENTBRIDGE, where: str = "pattern"):
        if not isinstance(pattern, dict):
            raise PatternError(f"{where}: must be a JSON object")
        _validate(pattern, where, dialect)
        self.pattern = pattern
        self.dialect = dialect

    @classmethod
    def parse(cls, text: str | dict, dialect: frozenset[str] = EVENTBRIDGE, where: str = "pattern") -> EventPattern:
        if isinstance(text, str):
            try:
                text = json.loads(text)
            except ValueError as exc:
                raise PatternError(f"{where}: not JSON ({exc})") from None
        return cls(text, dialect, where)  # type: ignore[arg-type]

    def match(self, event: Any) -> bool:
        return _match_object(self.pattern, event, self.dialect)


# validation ---------------------------------------------------------------------------------------


def _validate(pattern: dict, where: str, dialect: frozenset[str], in_or: bool = False) -> None:
    if not pattern:
        raise PatternError(f"{where}: empty objects are not allowed")
    for key, sub in pattern.items():
        path = f"{where}.{key}"
        if key == "$or" and "$or" in dialect and isinstance(sub, list):
            _validate_or(sub, path, dialect)
            continue
        if in_or and key in KEYWORDS:
            raise PatternError(f"{path}: {key} is a reserved keyword and cannot name a field inside $or")
        if isinstance(sub, dict):
            _validate(sub, path, dialect, in_or)
        elif isinstance(sub, list):
            if not sub:
                raise PatternError(f"{path}: empty arrays are not allowed")
            for matcher in sub:
                _validate_matcher(matcher, path, dialect)
        else:
            raise PatternError(f'{path}: "{key}" must be an object or an array')


def _validate_or(options: list, path: str, dialect: frozenset[str]) -> None:
    if not all(isinstance(option, dict) for option in options):
        raise PatternError(f"{path}: only JSON objects are allowed in the array of $or")
    if len(options) < 2:
        raise PatternError(f"{path}: $or needs at least 2 objects")
    for index, option in enumerate(options):
        _validate(option, f"{path}[{index}]", dialect, in_or=True)


def _validate_matcher(matcher: Any, path: str, dialect: frozenset[str]) -> None:
    if matcher is None or isinstance(matcher, (str, bool, int, float)):
        return
    if not isinstance(matcher, dict) or len(matcher) != 1:
        raise PatternError(f"{path}: a matcher must be a value or an object with one operator, got {matcher!r}")
    ((op, arg),) = matcher.items()
    if op not in KEYWORDS - {"$or"}:
        raise PatternError(f"{path}: unrecognized match type {op}")
    if op not in dialect:
        raise PatternError(f"{path}: {op} is not supported here")
    if op in _CASE_OPS and isinstance(arg, dict):
        if set(arg) != {"equals-ignore-case"} or not isinstance(arg["equals-ignore-case"], str):
            raise PatternError(f'{path}: {op} takes a string or {{"equals-ignore-case": string}}')
    elif op in ("prefix", "suffix", "equals-ignore-case", "wildcard", "cidr"):
        if not isinstance(arg, str):
            raise PatternError(f"{path}: {op} match pattern must be a string, got {arg!r}")
        if op == "wildcard":
            wildcard_regex(arg, path)
        if op == "cidr":
            _network(arg, path)
    elif op == "exists":
        if not isinstance(arg, bool):
            raise PatternError(f"{path}: exists takes true or false, got {arg!r}")
    elif op == "numeric":
        numeric_conditions(arg, path)
    else:
        _validate_anything_but(arg, path, dialect)


def _validate_anything_but(arg: Any, path: str, dialect: frozenset[str]) -> None:
    if isinstance(arg, dict):
        if len(arg) != 1:
            raise PatternError(f"{path}: anything-but takes one operator, got {arg!r}")
        ((op, values),) = arg.items()
        if op not in _BUT_OPS or (op == "wildcard" and op not in dialect):
            raise PatternError(f"{path}: unsupported anything-but pattern: {op}")
        items = values if isinstance(values, list) else [values]
        if not items or not all(isinstance(v, str) for v in items):
            raise PatternError(f"{path}: anything-but {op} takes a string or a list of strings")
        if op in ("prefix", "suffix") and "" in items:
            raise PatternError(f"{path}: an empty anything-but {op} is not allowed")
        if op == "wildcard":
            for value in items:
                wildcard_regex(value, path)
        return
    items = arg if isinstance(arg, list) else [arg]
    strings = all(isinstance(v, str) for v in items)
    numbers = all(_is_number(v) for v in items)
    if not items or not (strings or numbers):
        raise PatternError(f"{path}: anything-but values must be all strings or all numbers, got {arg!r}")


def numeric_conditions(arg: Any, path: str = "numeric") -> list[tuple[str, float]]:
    """`[">", 0, "<=", 5]` as (op, bound) pairs: one `=`, or at most one lower and one upper bound."""
    if not isinstance(arg, list) or not arg or len(arg) % 2:
        raise PatternError(f"{path}: numeric takes [operator, number, ...], got {arg!r}")
    pairs = []
    for op, value in zip(arg[::2], arg[1::2], strict=True):
        if op not in _NUMERIC_OPS or not _is_number(value):
            raise PatternError(f"{path}: bad numeric condition {op!r} {value!r}")
        pairs.append((op, float(value)))
    ops = [op for op, _ in pairs]
    lower = [b for op, b in pairs if op in (">", ">=")]
    upper = [b for op, b in pairs if op in ("<", "<=")]
    if ("=" in ops and len(pairs) > 1) or len(lower) > 1 or len(upper) > 1:
        raise PatternError(f"{path}: numeric takes one '=' or at most one lower and one upper bound, got {arg!r}")
    if lower and upper and lower[0] >= upper[0]:
        raise PatternError(f"{path}: the lower bound must be below the upper bound, got {arg!r}")
    return pairs


@lru_cache(maxsize=1024)
def _wildcard(text: str) -> re.Pattern | str:
    regex = ""
    index = 0
    previous_star = False
    while index < len(text):
        char = text[index]
        if char == "\\":
            following = text[index + 1 : index + 2]
            if following not in ("*", "\\"):
                return "a backslash may only escape * or \\"
            regex += re.escape(following)
            index += 2
            previous_star = False
            continue
        if char == "*":
            if previous_star:
                return "consecutive wildcard characters are not allowed"
            regex += ".*"
            previous_star = True
        else:
            regex += re.escape(char)
            previous_star = False
        index += 1
    return re.compile(regex, re.DOTALL)


def wildcard_regex(text: str, path: str = "wildcard") -> re.Pattern:
    compiled = _wildcard(text)
    if isinstance(compiled, str):
        raise PatternError(f"{path}: invalid wildcard {text!r}: {compiled}")
    return compiled


def _network(text: str, path: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise PatternError(f"{path}: {text!r} is not a CIDR block") from None


# matching -----------------------------------------------------------------------------------------


def _flatten(value: Any) -> list:
    if not isinstance(value, list):
        return [value]
    flat: list = []
    for item in value:
        flat.extend(_flatten(item))
    return flat


def _match_object(pattern: dict, value: Any, dialect: frozenset[str]) -> bool:
    for key, sub in pattern.items():
        if key == "$or" and "$or" in dialect and isinstance(sub, list):
            if not any(_match_object(option, value, dialect) for option in sub):
                return False
            continue
        field = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(sub, dict):
            if not any(isinstance(c, dict) and _match_object(sub, c, dialect) for c in _flatten(field)):
                return False
        elif not _match_leaf(sub, field):
            return False
    return True


def _match_leaf(matchers: list, field: Any) -> bool:
    values = [] if field is _MISSING else [v for v in _flatten(field) if not isinstance(v, dict)]
    for matcher in matchers:
        if isinstance(matcher, dict) and "exists" in matcher:
            if matcher["exists"] == bool(values):
                return True
        elif any(_match_value(matcher, v) for v in values):
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
        return _is_number(value) and math.isclose(float(expected), float(value), rel_tol=1e-15, abs_tol=0)
    return isinstance(value, str) and value == expected


def _string_op(op: str, arg: Any, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    if isinstance(arg, dict):  # {"prefix": {"equals-ignore-case": "..."}}
        arg, value = arg["equals-ignore-case"].lower(), value.lower()
    if op == "prefix":
        return value.startswith(arg)
    if op == "suffix":
        return value.endswith(arg)
    if op == "equals-ignore-case":
        return value.lower() == arg.lower()
    if op == "wildcard":
        return wildcard_regex(arg).fullmatch(value) is not None
    try:  # cidr
        return ipaddress.ip_address(value) in _network(arg, "cidr")
    except ValueError:
        return False


def _match_value(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, dict):
        return _equals(matcher, value)
    ((op, arg),) = matcher.items()
    if op == "numeric":
        return _is_number(value) and all(_compare(float(value), c, b) for c, b in numeric_conditions(arg))
    if op == "anything-but":
        if isinstance(arg, dict):
            ((inner, excluded),) = arg.items()
            items = excluded if isinstance(excluded, list) else [excluded]
            return not any(_string_op(inner, item, value) for item in items)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_equals(item, value) for item in excluded)
    return _string_op(op, arg, value)


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
