"""The runtime's state shaped once, for the HTML pages and their JSON twins alike."""

from __future__ import annotations

import base64
import json
import shlex
from collections import Counter
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from localcloud.model import Deployment, FunctionSpec, LogStore
from localcloud.requestlog import Exchange

# Powertools' own keys, shown in this order before the keys a function added.
LOG_HEAD_KEYS = ("level", "timestamp", "message")


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return repr(value)


def to_json(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(value, indent=indent, default=_default, ensure_ascii=False, sort_keys=False)


def pretty(value: Any) -> str:
    """A body as a person wants to read it: JSON inside strings unpacked and indented, other text as-is."""
    if isinstance(value, (bytes, str)):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        try:
            parsed = json.loads(text)
        except ValueError:
            return text
        if not isinstance(parsed, (dict, list)):
            return text
        value = parsed
    return to_json(value, indent=2)


def events(entries: list[dict], channel: str | None) -> list[dict]:
    """Event log entries, newest last, optionally of one channel."""
    return [e for e in entries if not channel or e.get("channel") == channel]


def channel_counts(entries: list[dict]) -> dict[str, int]:
    return dict(sorted(Counter(str(e.get("channel", "")) for e in entries).items()))


def log_record(entry: dict) -> dict:
    """A captured line with its Powertools JSON record (`record`) when it is one."""
    line = entry.get("line", "")
    record = None
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            record = parsed
    request_id = entry.get("request_id") or (record or {}).get("function_request_id")
    return {"time": entry.get("time"), "request_id": request_id, "line": line, "record": record}


def function_logs(logs: LogStore, function: str, request_id: str | None) -> list[dict]:
    """One function's captured lines, newest last, optionally of one request."""
    records = [log_record(entry) for entry in logs.lines(function)]
    if request_id:
        records = [r for r in records if r["request_id"] == request_id]
    return records


def log_extras(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in LOG_HEAD_KEYS}


def log_functions(logs: LogStore, deployment: Deployment) -> list[dict]:
    """Every function that is deployed or has logged, with its line count."""
    names = set(logs.functions()) | {spec.address for spec in deployment.functions.values()}
    return [{"function": name, "lines": len(logs.lines(name))} for name in sorted(names)]


def resource_summary(deployment: Deployment) -> dict:
    """Resources grouped by stack path (root first) and the Lambda functions."""
    stacks: dict[str, list[dict]] = {}
    for resource in sorted(deployment.resources, key=lambda r: (r.stack, r.logical_id)):
        stacks.setdefault(resource.stack, []).append(
            {
                "address": resource.address,
                "stack": resource.stack,
                "logical_id": resource.logical_id,
                "type": resource.type,
                "ref": resource.ref,
                "attrs": resource.attrs,
            }
        )
    functions = [function_summary(spec) for spec in sorted(deployment.functions.values(), key=lambda s: s.address)]
    return {
        "region": deployment.region,
        "account_id": deployment.account_id,
        "aws_endpoint": deployment.aws_endpoint,
        "stacks": stacks,
        "functions": functions,
        "outputs": deployment.outputs,
    }


def function_summary(spec: FunctionSpec) -> dict:
    return {
        "address": spec.address,
        "name": spec.name,
        "arn": spec.arn,
        "handler": spec.handler,
        "runtime": spec.runtime,
        "code_dir": str(spec.code_dir),
        "layer_dirs": [str(p) for p in spec.layer_dirs],
        "timeout": spec.timeout,
        "memory": spec.memory,
        "reserved_concurrency": spec.reserved_concurrency,
        "architectures": list(spec.architectures),
        "environment": dict(spec.environment),
    }


def find_message(outbox: list[dict], message_id: str) -> dict | None:
    return next((m for m in outbox if m.get("id") == message_id), None)


def status_matches(status: int, wanted: str | None) -> bool:
    """`404` exactly, `4xx` a class, `errors` anything from 400 up; nothing wanted matches all."""
    if not wanted:
        return True
    if wanted == "errors":
        return status >= 400
    if len(wanted) == 3 and wanted.endswith("xx") and wanted[0].isdigit():
        return str(status)[:1] == wanted[0]
    return str(status) == wanted


def requests(entries: list[Exchange], api: str | None, status: str | None) -> list[dict]:
    """Request summaries, newest last, optionally of one API and a status (see `status_matches`)."""
    return [x.summary() for x in entries if (not api or x.api == api) and status_matches(x.status, status)]


def request_counts(entries: list[Exchange]) -> dict[str, dict[str, int]]:
    """How many requests each API and each status class had, for the filter chips."""
    apis = Counter(x.api or "(no API)" for x in entries)
    classes = Counter(f"{str(x.status)[:1]}xx" for x in entries)
    return {"apis": dict(sorted(apis.items())), "statuses": dict(sorted(classes.items()))}


def request_detail(exchange: Exchange, logs: LogStore) -> dict:
    """Everything about one request, with each function's log lines for its Lambda request id."""
    detail = exchange.detail()
    for call in detail["invocations"]:
        call["logs"] = function_logs(logs, call["function"], call["request_id"]) if call["request_id"] else []
    return detail


_MAIL_FIELDS = {
    "from": ("source",),
    "to": ("to", "cc", "bcc"),
    "subject": ("subject",),
    "body": ("text", "html"),
}


def search_mail(messages: list[dict], search: str | None) -> list[dict]:
    """Emails matching every term of `search`, case-insensitively: a bare word anywhere (addresses,
    subject, body), `from:`, `to:` (also cc and bcc), `subject:` or `body:` in that field; quote a phrase."""
    if not search or not search.strip():
        return messages
    try:
        terms = shlex.split(search)
    except ValueError:  # an unbalanced quote: take the words as they are
        terms = search.split()
    wanted = []
    for term in terms:
        field, _, value = term.partition(":")
        if value and field.lower() in _MAIL_FIELDS:
            wanted.append((_MAIL_FIELDS[field.lower()], value.lower()))
        else:
            wanted.append((tuple(f for fields in _MAIL_FIELDS.values() for f in fields), term.lower()))
    return [m for m in messages if all(value in _mail_text(m, fields) for fields, value in wanted)]


def _mail_text(message: dict, fields: tuple[str, ...]) -> str:
    parts = []
    for field in fields:
        value = message.get(field)
        parts.extend(value if isinstance(value, list) else [value] if value is not None else [])
    return "\n".join(str(p) for p in parts).lower()
