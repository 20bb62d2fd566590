"""Scheduled rules (`AWS::Events::Rule` with a ScheduleExpression, the SAM `Schedule` event) and
EventBridge Scheduler schedules (`AWS::Scheduler::Schedule`, the SAM `ScheduleV2` event), fired on
their schedule while localcloud runs, or at once by `fire` (`localcloud schedule fire Stack/Rule`).

Both are read from moto at each tick, so schedules made at run time fire too. A rate counts from when
localcloud first saw the rule (EventBridge counts from its creation) or from a schedule's StartDate
(else its creation). A schedule fires between StartDate and EndDate only, within its FlexibleTimeWindow
(a random delay up to MaximumWindowInMinutes, as the Scheduler does). A missed period (localcloud was
stopped or paused) fires once, not once per period. Disabled ones do not fire, except by `fire`.

A rule fires the documented scheduled event (`source` aws.events, `detail-type` "Scheduled Event",
`resources` [rule ARN], `detail` {}) through its targets' inputs; a schedule sends its target's Input
with the context attributes (`<aws.scheduler.schedule-arn>` ...) substituted, or, with no Input, the
same event shape with `source` aws.scheduler.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from localcloud.eventbridge.entries import iso_time
from localcloud.eventbridge.router import Delivery, EventRouter, moto_rules
from localcloud.eventbridge.schedule_expressions import ScheduleError, parse

log = logging.getLogger("localcloud.eventbridge")

TICK_SECONDS = 1.0


@dataclass
class Scheduled:
    """A rule or schedule with what its next firing needs."""

    kind: str  # "rule" or "schedule"
    name: str
    arn: str
    expression: str
    timezone: str
    state: str
    source: Any  # moto's Rule or Schedule
    anchor: datetime
    start: datetime | None = None
    end: datetime | None = None
    window_minutes: int = 0

    @property
    def enabled(self) -> bool:
        return self.state.startswith("ENABLED")

    def signature(self) -> tuple:
        return (self.expression, self.timezone, self.state, self.start, self.end, self.window_minutes)


class Scheduler:
    def __init__(
        self,
        router: EventRouter,
        *,
        account: str,
        region: str,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ):
        self.router = router
        self.account = account
        self.region = region
        self.clock = clock
        self.rng = rng or random.Random()
        self._first_seen: dict[str, datetime] = {}
        self._plans: dict[str, tuple[tuple, datetime | None]] = {}  # arn -> (signature, next firing)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="eventbridge-scheduler", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            try:
                self.tick()
            except Exception:
                log.exception("scheduler tick failed")

    # planning -----------------------------------------------------------------------------------

    def scheduled(self) -> list[Scheduled]:
        """Every scheduled rule and schedule moto holds now."""
        now = _utc(self.clock())
        found = []
        for rule in moto_rules(self.account, self.region, "default"):
            if rule.scheduled_expression:
                anchor = self._first_seen.setdefault(rule.arn, now)
                found.append(Scheduled("rule", rule.name, rule.arn, rule.scheduled_expression, "UTC", rule.state,
                                       rule, anchor))  # fmt: skip
        for schedule in _moto_schedules(self.account, self.region):
            start, end = _when(schedule.start_date), _when(schedule.end_date)
            created = _when(schedule.creation_date) or now
            window = schedule.flexible_time_window or {}
            minutes = int(window.get("MaximumWindowInMinutes") or 0) if window.get("Mode") == "FLEXIBLE" else 0
            found.append(Scheduled("schedule", schedule.name, schedule.arn, schedule.schedule_expression,
                                   schedule.schedule_expression_timezone or "UTC", schedule.state or "ENABLED",
                                   schedule, start or created, start, end, minutes))  # fmt: skip
        return found

    def next_firing(self, item: Scheduled, after: datetime) -> datetime | None:
        try:
            expression = parse(item.expression, item.timezone)
        except ScheduleError as exc:
            log.error("%s %s never fires: %s", item.kind, item.name, exc)
            return None
        if expression.kind == "rate":
            # a StartDate is the first firing; a creation time is one period before it
            due = expression.next_after(after if item.start else max(after, item.anchor), item.anchor)
        else:
            early = item.start is not None and after < item.start
            due = expression.next_after(item.start - timedelta(microseconds=1) if early else after)  # type: ignore[operator]
        if due is None or (item.end is not None and due > item.end):
            return None
        if item.window_minutes:
            due += timedelta(seconds=self.rng.uniform(0, item.window_minutes * 60))
        return due

    def tick(self) -> list[str]:
        """Fire whatever is due now; returns the names fired (tests call this with an injected clock)."""
        now = _utc(self.clock())
        fired = []
        with self._lock:
            items = self.scheduled()
            for item in items:
                plan = self._plans.get(item.arn)
                if plan is None or plan[0] != item.signature():
                    plan = (item.signature(), self.next_firing(item, now))
                    self._plans[item.arn] = plan
                due = plan[1]
                if due is None or due > now:
                    continue
                if item.enabled:
                    self._fire(item, due)
                    fired.append(item.name)
                self._plans[item.arn] = (item.signature(), self.next_firing(item, now))
            for gone in set(self._plans) - {item.arn for item in items}:
                del self._plans[gone]
        return fired

    def listing(self) -> list[dict]:
        now = _utc(self.clock())
        with self._lock:
            rows = []
            for item in self.scheduled():
                plan = self._plans.get(item.arn)
                due = plan[1] if plan and plan[0] == item.signature() else self.next_firing(item, now)
                target = item.source.target if item.kind == "schedule" else None
                rows.append({"kind": item.kind, "name": item.name, "arn": item.arn, "expression": item.expression,
                             "timezone": item.timezone, "state": item.state, "target": target,
                             "next": due.isoformat() if due and item.enabled else None})  # fmt: skip
        return rows

    # firing -------------------------------------------------------------------------------------

    def fire(self, key: str) -> dict:
        """Fire one rule or schedule now, enabled or not; `key` is its ARN or name. LookupError if none."""
        now = _utc(self.clock())
        with self._lock:
            for item in self.scheduled():
                if key in (item.arn, item.name):
                    self._fire(item, now, manual=True)
                    return {"name": item.name, "arn": item.arn, "kind": item.kind, "state": item.state,
                            "disabled": not item.enabled}  # fmt: skip
        raise LookupError(key)

    def _fire(self, item: Scheduled, when: datetime, manual: bool = False) -> None:
        note = "on schedule"
        if manual:
            note = "fired by `schedule fire`" + (" although DISABLED" if not item.enabled else "")
        if item.kind == "rule":
            event = scheduled_event("aws.events", item.arn, self.account, self.region, when)
            self.router.events.record("events", "scheduled", item.name, event, source=item.arn, note=note)
            self.router.submit_rule(item.source, event)
            return
        target = dict(item.source.target or {})
        payload = schedule_payload(target, item, self.account, self.region, when)
        self.router.events.record("scheduler", "scheduled", item.name, payload, source=item.arn, note=note)
        self.router.submit(Delivery("scheduler", item.name, item.arn, target, payload, None, self.clock()))


def scheduled_event(source: str, arn: str, account: str, region: str, when: datetime) -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": account,
        "time": iso_time(when.timestamp()),
        "region": region,
        "resources": [arn],
        "detail": {},
    }


def schedule_payload(target: dict, item: Scheduled, account: str, region: str, when: datetime) -> str:
    text = target.get("Input")
    if text in (None, ""):
        return json.dumps(scheduled_event("aws.scheduler", item.arn, account, region, when))
    for name, value in (
        ("aws.scheduler.schedule-arn", item.arn),
        ("aws.scheduler.scheduled-time", iso_time(when.timestamp())),
        ("aws.scheduler.execution-id", uuid.uuid4().hex[:16]),
        ("aws.scheduler.attempt-number", "1"),
    ):
        text = str(text).replace(f"<{name}>", value)
    return str(text)


def _moto_schedules(account: str, region: str) -> list[Any]:
    from moto.scheduler.models import scheduler_backends

    backend = scheduler_backends[account][region]
    return [s for group in backend.schedule_groups.values() for s in group.schedules.values()]


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)):
        return _utc(float(value))
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
