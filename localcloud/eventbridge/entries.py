"""PutEvents entries, checked as EventBridge checks them, and the events they become.

A request holds 1 to 10 entries whose total size (EventBridge's own formula: UTF-8 bytes of Source,
DetailType, Detail and each Resource, plus 14 for a Time) is at most 256 KB; otherwise the whole call
is a ValidationException. Each entry then succeeds or fails on its own: Source, DetailType and Detail
are required (InvalidArgument), Detail must be a JSON object (MalformedDetail), and the bus must exist
(ResourceNotFoundException); failures count in FailedEntryCount, successes get an EventId.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_ENTRIES = 10
MAX_REQUEST_BYTES = 256 * 1024


class RequestError(ValueError):
    """The whole PutEvents call is refused (AWS's ValidationException)."""


@dataclass
class Accepted:
    bus: str
    event: dict


def entry_size(entry: dict) -> int:
    size = 14 if entry.get("Time") is not None else 0
    for key in ("Source", "DetailType", "Detail"):
        value = entry.get(key)
        if isinstance(value, str):
            size += len(value.encode("utf-8"))
    for resource in entry.get("Resources") or []:
        if isinstance(resource, str):
            size += len(resource.encode("utf-8"))
    return size


def check_request(entries: Any) -> list[dict]:
    if not isinstance(entries, list) or not entries:
        raise RequestError(
            "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null"
        )
    if len(entries) > MAX_ENTRIES:
        raise RequestError(
            "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy "
            f"constraint: Member must have length less than or equal to {MAX_ENTRIES}"
        )
    if not all(isinstance(e, dict) for e in entries):
        raise RequestError("each entry must be an object")
    if sum(entry_size(e) for e in entries) > MAX_REQUEST_BYTES:
        raise RequestError("Total size of the entries in the request is over the limit.")
    return entries


def accept(
    entries: list[dict], *, account: str, region: str, bus_exists: Callable[[str], bool], now: Callable[[], float]
) -> tuple[list[dict], list[Accepted]]:
    """The PutEvents result entries, in order, and the events to route."""
    results: list[dict] = []
    accepted: list[Accepted] = []
    for entry in entries:
        error = _entry_error(entry)
        bus = bus_name(entry.get("EventBusName"))
        if error is None and not bus_exists(bus):
            error = ("ResourceNotFoundException", f"Event bus {bus} does not exist.")
        if error is not None:
            results.append({"ErrorCode": error[0], "ErrorMessage": error[1]})
            continue
        event_id = str(uuid.uuid4())
        results.append({"EventId": event_id})
        accepted.append(Accepted(bus, make_event(entry, event_id, account, region, now())))
    return results, accepted


def make_event(entry: dict, event_id: str, account: str, region: str, now: float) -> dict:
    return {
        "version": "0",
        "id": event_id,
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": account,
        "time": iso_time(_entry_time(entry.get("Time"), now)),
        "region": region,
        "resources": list(entry.get("Resources") or []),
        "detail": json.loads(entry["Detail"]),
    }


def bus_name(value: Any) -> str:
    text = str(value or "default")
    return text.rsplit("event-bus/", 1)[-1] if text.startswith("arn:") else text


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry_time(value: Any, now: float) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return now
    return now


def _entry_error(entry: dict) -> tuple[str, str] | None:
    for key in ("Source", "DetailType", "Detail"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            return "InvalidArgument", f"Parameter {key} is not valid. Reason: {key} is a required argument."
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        return "MalformedDetail", "Detail is malformed."
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    return None
