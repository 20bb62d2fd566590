"""What a rule's target receives: the event, `Input` (constant JSON), `InputPath` (a part of the event)
or `InputTransformer` (variables picked by JSON path, substituted into a template), as EventBridge does.

Substitution follows EventBridge's quoting rules. In a JSON template, a `<var>` inside a string literal
is replaced by the value's text (a string without its quotes, anything else as escaped JSON), and a
`<var>` outside one by the value as JSON (strings quoted). In a plain-text template (one that is not
JSON-shaped), values go in as text. A path that finds nothing gives `null` (an empty text inside a
string). The reserved variables are `aws.events.rule-arn`, `aws.events.rule-name`,
`aws.events.event.ingestion-time`, `aws.events.event` (the event without `detail`) and
`aws.events.event.json` (the whole event); the last two are inserted as raw JSON.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from localcloud.jsonpath import JsonPathError, find

_VARIABLE = re.compile(r"<([A-Za-z0-9_.\-]+)>")
RESERVED = ("aws.events.rule-arn", "aws.events.rule-name", "aws.events.event.ingestion-time",
            "aws.events.event", "aws.events.event.json")  # fmt: skip
_RAW_JSON = {"aws.events.event", "aws.events.event.json"}
_NOT_FOUND = object()


class TransformError(ValueError):
    """An InputPath, InputPathsMap or InputTemplate EventBridge would refuse."""


@dataclass(frozen=True)
class RuleContext:
    """What the reserved variables name."""

    rule_arn: str
    rule_name: str
    ingestion_time: str


def json_path(document: Any, path: str) -> Any:
    """EventBridge's JSON path subset (localcloud.jsonpath); a path that finds nothing gives `_NOT_FOUND`."""
    try:
        return find(document, path, missing=_NOT_FOUND)
    except JsonPathError as exc:
        raise TransformError(str(exc)) from None


def validate_target_input(target: dict) -> None:
    """At most one of Input, InputPath and InputTransformer; each well formed (as PutTargets checks)."""
    given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) not in (None, "")]
    if len(given) > 1:
        raise TransformError(f"target {target.get('Id')}: only one of {', '.join(given)} may be set")
    if target.get("Input") not in (None, ""):
        try:
            json.loads(target["Input"])
        except (TypeError, ValueError):
            raise TransformError(f"target {target.get('Id')}: Input is not valid JSON") from None
    if target.get("InputPath") not in (None, ""):
        json_path({}, target["InputPath"])
    transformer = target.get("InputTransformer")
    if transformer:
        paths = transformer.get("InputPathsMap") or {}
        if len(paths) > 100:
            raise TransformError("InputPathsMap can define at most 100 variables")
        for name, path in paths.items():
            if name in RESERVED:
                raise TransformError(f"InputPathsMap: {name} is a reserved variable name")
            json_path({}, path)
        if not isinstance(transformer.get("InputTemplate"), str):
            raise TransformError(f"target {target.get('Id')}: InputTransformer needs an InputTemplate")


def target_input(target: dict, event: dict, context: RuleContext) -> str:
    """The text the target receives."""
    if target.get("Input") not in (None, ""):
        return str(target["Input"])
    if target.get("InputPath") not in (None, ""):
        found = json_path(event, target["InputPath"])
        return "null" if found is _NOT_FOUND else json.dumps(found)
    transformer = target.get("InputTransformer")
    if transformer:
        return render(transformer["InputTemplate"], transformer.get("InputPathsMap") or {}, event, context)
    return json.dumps(event)


def render(template: str, paths: dict[str, str], event: dict, context: RuleContext) -> str:
    values: dict[str, Any] = {name: json_path(event, path) for name, path in paths.items()}
    values.update({
        "aws.events.rule-arn": context.rule_arn,
        "aws.events.rule-name": context.rule_name,
        "aws.events.event.ingestion-time": context.ingestion_time,
        "aws.events.event": {k: v for k, v in event.items() if k != "detail"},
        "aws.events.event.json": event,
    })  # fmt: skip
    json_shaped = template.strip()[:1] in ("{", "[", '"')
    out: list[str] = []
    in_string = False
    position = 0
    for match in _VARIABLE.finditer(template):
        before = template[position : match.start()]
        out.append(before)
        in_string = _string_state(before, in_string) if json_shaped else False
        name = match.group(1)
        if name not in values:
            out.append(match.group(0))  # not a variable: left as written, as EventBridge does
        else:
            out.append(_substitute(values[name], raw=name in _RAW_JSON, json_shaped=json_shaped, quoted=in_string))
        position = match.end()
    out.append(template[position:])
    return "".join(out)


def _string_state(text: str, in_string: bool) -> bool:
    """Whether a JSON string literal is open after `text`, given the state before it."""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
    return in_string


def _substitute(value: Any, *, raw: bool, json_shaped: bool, quoted: bool) -> str:
    if raw:
        return json.dumps(value)
    if value is _NOT_FOUND:
        return "" if quoted or not json_shaped else "null"
    if quoted:
        text = value if isinstance(value, str) else json.dumps(value)
        return json.dumps(text)[1:-1]
    if not json_shaped:
        return value if isinstance(value, str) else json.dumps(value)
    return json.dumps(value)
