"""EventBridge calls answered before moto: PutEvents (checked and routed by localcloud, never by moto,
which cannot invoke functions and drops what it cannot deliver), TestEventPattern (the same matcher the
rules use), and PutRule / PutTargets, whose patterns, schedule expressions and target inputs are
checked as EventBridge checks them before moto stores them. Everything else passes through to moto.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from localcloud.eventbridge.entries import RequestError, accept, check_request
from localcloud.eventbridge.schedule_expressions import ScheduleError
from localcloud.eventbridge.schedule_expressions import parse as parse_schedule
from localcloud.eventbridge.transform import TransformError, validate_target_input
from localcloud.model import EventLog
from localcloud.patterns import EventPattern, PatternError

log = logging.getLogger("localcloud.eventbridge")

TARGET_PREFIX = "AWSEvents."
_EVENT_FIELDS = ("id", "account", "source", "time", "region", "resources", "detail-type")


class EventsApi:
    """WSGI app wrapping moto's (and what sits between: Cognito's mail flows)."""

    def __init__(
        self,
        app: Callable,
        *,
        read_body: Callable[[dict], bytes],
        account: str,
        region: str,
        events: EventLog,
        bus_exists: Callable[[str], bool],
        clock: Callable[[], float] = time.time,
    ):
        self.app = app
        self._read_body = read_body
        self.account = account
        self.region = region
        self.events = events
        self.bus_exists = bus_exists
        self.clock = clock
        self.route: Callable[[str, dict], Any] | None = None  # set once the buses run (EventBridge.start)
        self._operations = {
            "PutEvents": self._put_events,
            "TestEventPattern": self._test_event_pattern,
            "PutRule": self._put_rule,
            "PutTargets": self._put_targets,
        }

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        operation = self._operations.get(target[len(TARGET_PREFIX) :]) if target.startswith(TARGET_PREFIX) else None
        if operation is None:
            return self.app(environ, start_response)
        try:
            payload = json.loads(self._read_body(environ) or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            return _respond(start_response, 400, {"__type": "SerializationException", "message": "Invalid JSON body"})
        return operation(payload, environ, start_response)

    def _put_events(self, payload: dict, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            entries = check_request(payload.get("Entries"))
        except RequestError as exc:
            return _respond(start_response, 400, {"__type": "ValidationException", "message": str(exc)})
        results, accepted = accept(
            entries, account=self.account, region=self.region, bus_exists=self.bus_exists, now=self.clock
        )
        for item in accepted:
            if self.route is None:
                log.error("PutEvents while localcloud is still starting: event %s dropped", item.event["id"])
                self.events.record("events", "dropped", item.bus, item.event, note="localcloud was still starting")
                continue
            self.route(item.bus, item.event)
        failed = sum(1 for r in results if "ErrorCode" in r)
        return _respond(start_response, 200, {"FailedEntryCount": failed, "Entries": results})

    def _test_event_pattern(self, payload: dict, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            pattern = EventPattern.parse(payload.get("EventPattern") or "", where="EventPattern")
        except PatternError as exc:
            return _invalid_pattern(start_response, exc)
        try:
            event = json.loads(payload.get("Event") or "")
        except ValueError:
            event = None
        missing = [f for f in _EVENT_FIELDS if not isinstance(event, dict) or f not in event]
        if missing:
            message = f"Parameter Event is not valid. Reason: missing {', '.join(missing)}"
            return _respond(start_response, 400, {"__type": "InvalidEventPatternException", "message": message})
        return _respond(start_response, 200, {"Result": pattern.match(event)})

    def _put_rule(self, payload: dict, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if payload.get("EventPattern"):
            try:
                EventPattern.parse(payload["EventPattern"], where="EventPattern")
            except PatternError as exc:
                return _invalid_pattern(start_response, exc)
        if payload.get("ScheduleExpression"):
            try:
                parse_schedule(payload["ScheduleExpression"])
            except ScheduleError as exc:
                message = f"Parameter ScheduleExpression is not valid. Reason: {exc}"
                return _respond(start_response, 400, {"__type": "ValidationException", "message": message})
        return self.app(environ, start_response)

    def _put_targets(self, payload: dict, environ: dict, start_response: Callable) -> Iterable[bytes]:
        for target in payload.get("Targets") or []:
            try:
                validate_target_input(target if isinstance(target, dict) else {})
            except TransformError as exc:
                return _respond(start_response, 400, {"__type": "ValidationException", "message": str(exc)})
        return self.app(environ, start_response)


def _invalid_pattern(start_response: Callable, exc: PatternError) -> Iterable[bytes]:
    message = f"Event pattern is not valid. Reason: {exc}"
    return _respond(start_response, 400, {"__type": "InvalidEventPatternException", "message": message})


def _respond(start_response: Callable, status: int, body: dict) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    request_id = str(uuid.uuid4())
    headers = [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data))),
               ("x-amzn-RequestId", request_id)]  # fmt: skip
    if status >= 400:
        headers.append(("x-amzn-ErrorType", body["__type"]))
    start_response(f"{status} {'OK' if status == 200 else 'Bad Request'}", headers)
    return [data]
