"""Lambda event filtering (FilterCriteria): which records an event source mapping passes to its function.

The pattern language is EventBridge's (`localcloud.patterns`, the one matcher), in the subset Lambda
accepts: exact values, null, prefix, suffix, equals-ignore-case, anything-but, numeric ranges and exists,
OR inside a list, AND across keys, OR across filters (no wildcard, cidr or `$or`). Patterns are validated
once, when the mapping is built, so a bad pattern is an error naming the mapping instead of a silent
mismatch later. This module adds what is Lambda's own: the `Filters` list and the record views.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from localcloud.patterns import LAMBDA, EventPattern, PatternError


class FilterError(PatternError):
    """A FilterCriteria pattern Lambda would reject."""


class Filters:
    """The compiled `FilterCriteria.Filters` of one mapping: a record passes if any pattern matches."""

    def __init__(self, patterns: list[EventPattern]):
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
            try:
                patterns.append(EventPattern(pattern, LAMBDA, f"Filters[{index}].Pattern"))
            except PatternError as exc:
                raise FilterError(str(exc)) from None
        return cls(patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, view: dict) -> bool:
        """`view` is the record as the patterns see it (see the `*_view` helpers)."""
        return not self.patterns or any(p.match(view) for p in self.patterns)


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
