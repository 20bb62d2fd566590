"""The event bus: an event matches rules, each matching rule's targets get their input, and a worker
thread delivers them with the target's RetryPolicy and DeadLetterConfig.

Rules are read from moto's events backend at routing time, so rules and targets created at run time
(PutRule, PutTargets) route exactly like the template's. Disabled rules are skipped. A delivery that
fails with a retriable error is tried again with exponential backoff until MaximumRetryAttempts
(default 185) or MaximumEventAgeInSeconds (default 24 h) runs out; then, or at once for an error that
cannot be retried, the event goes to the target's dead-letter queue with EventBridge's attributes. With
no dead-letter queue it is logged loudly as dropped. Pending retries live in memory: a restart loses them.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.eventbridge.entries import iso_time
from localcloud.eventbridge.targets import DeliveryError, Targets
from localcloud.eventbridge.transform import RuleContext, target_input
from localcloud.model import EventLog
from localcloud.patterns import EventPattern, PatternError

log = logging.getLogger("localcloud.eventbridge")

DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_AGE = 86400
MAX_BACKOFF = 60.0
_ENABLED = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


@dataclass(order=False)
class Delivery:
    """One event on its way to one target."""

    channel: str  # "events" (a rule) or "scheduler" (a schedule)
    origin: str  # the rule's or schedule's name, for the event log
    origin_arn: str
    target: dict
    payload: str  # what the target receives
    event: dict | None  # the event (None for a Scheduler payload)
    created: float
    attempts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def moto_rules(account: str, region: str, bus: str) -> list[Any]:
    from moto.events.models import events_backends

    found = events_backends[account][region].event_buses.get(bus)
    return list(found.rules.values()) if found is not None else []


def bus_exists(account: str, region: str, bus: str) -> bool:
    from moto.events.models import events_backends

    return bus in events_backends[account][region].event_buses


class EventRouter:
    def __init__(
        self,
        targets: Targets,
        events: EventLog,
        *,
        account: str,
        region: str,
        clock: Callable[[], float] = time.time,
        backoff: Callable[[int], float] = lambda attempt: min(2.0 ** (attempt - 1), MAX_BACKOFF),
    ):
        self.targets = targets
        self.events = events
        self.account = account
        self.region = region
        self.clock = clock
        self.backoff = backoff
        self._patterns: dict[tuple[str, str], EventPattern | None] = {}
        self._heap: list[tuple[float, int, Delivery]] = []
        self._sequence = itertools.count()
        self._cv = threading.Condition()
        self._running = 0
        self.completed = 0  # deliveries finished (delivered, dead-lettered or dropped): idle checks read it
        self._stopping = False
        self._thread: threading.Thread | None = None

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> None:
        with self._cv:
            self._stopping = False
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="eventbridge-delivery", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def reset(self) -> None:
        """Forget pending deliveries and retries (a data wipe)."""
        with self._cv:
            self._heap.clear()
            self._patterns.clear()

    def idle(self) -> bool:
        with self._cv:
            return not self._heap and not self._running

    def next_due(self) -> float | None:
        with self._cv:
            return self._heap[0][0] if self._heap else None

    # routing ------------------------------------------------------------------------------------

    def route(self, bus: str, event: dict, *, source: str = "PutEvents") -> list[str]:
        """Queue a delivery to every target of every enabled rule on `bus` whose pattern matches;
        returns the matched rules' names."""
        matched = []
        for rule in moto_rules(self.account, self.region, bus):
            if rule.state not in _ENABLED or not self.matches(rule, event):
                continue
            matched.append(rule.name)
            self.submit_rule(rule, event)
        self.events.record("events", "routed", bus, event, source=source, rules=matched,
                           note="matched no rule" if not matched else f"matched {', '.join(matched)}")  # fmt: skip
        return matched

    def submit_rule(self, rule: Any, event: dict) -> int:
        """Queue the event for every target of `rule` (pattern already matched, or a schedule firing)."""
        context = RuleContext(rule.arn, rule.name, iso_time(self.clock()))
        for target in list(rule.targets):
            try:
                payload = target_input(target, event, context)
            except Exception as exc:  # a transformer that fails on this event: AWS drops it to the DLQ
                delivery = Delivery("events", rule.name, rule.arn, target, json.dumps(event), event, self.clock())
                self._give_up(delivery, DeliveryError("InputTransformerError", str(exc), retriable=False))
                continue
            self.submit(Delivery("events", rule.name, rule.arn, target, payload, event, self.clock()))
        return len(rule.targets)

    def submit(self, delivery: Delivery, delay: float = 0.0) -> None:
        with self._cv:
            heapq.heappush(self._heap, (self.clock() + delay, next(self._sequence), delivery))
            self._cv.notify_all()

    def matches(self, rule: Any, event: dict) -> bool:
        raw = rule.event_pattern.dump() if rule.event_pattern is not None else None
        if not raw:
            return False  # a schedule-only rule matches no event
        key = (rule.arn, raw)
        if key not in self._patterns:
            try:
                self._patterns[key] = EventPattern.parse(raw)
            except PatternError as exc:
                log.error("rule %s has an invalid event pattern and matches nothing: %s", rule.name, exc)
                self._patterns[key] = None
        pattern = self._patterns[key]
        return pattern is not None and pattern.match(event)

    # delivery -----------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._stopping and (not self._heap or self._heap[0][0] > self.clock()):
                    wait = (self._heap[0][0] - self.clock()) if self._heap else None
                    self._cv.wait(timeout=min(wait, 0.5) if wait is not None else 0.5)
                if self._stopping:
                    return
                _, _, delivery = heapq.heappop(self._heap)
                self._running += 1
            try:
                self._attempt(delivery)
            except Exception:  # never lose the worker thread
                log.exception("EventBridge delivery to %s failed unexpectedly", delivery.target.get("Arn"))
            finally:
                with self._cv:
                    self._running -= 1
                    self.completed += 1
                    self._cv.notify_all()

    def _attempt(self, delivery: Delivery) -> None:
        delivery.attempts += 1
        arn = str(delivery.target.get("Arn") or "")
        try:
            note = self.targets.send(delivery.channel, delivery.target, delivery.payload, delivery.event)
        except DeliveryError as error:
            self._failed(delivery, error)
            return
        self._record(delivery, "delivery", outcome="ok", note=note, function=arn)

    def _failed(self, delivery: Delivery, error: DeliveryError) -> None:
        policy = delivery.target.get("RetryPolicy") or {}
        max_retries = int(policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES))
        max_age = int(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE))
        age = self.clock() - delivery.created
        arn = str(delivery.target.get("Arn") or "")
        self._record(delivery, "delivery", outcome="error", function=arn,
                     error={"errorType": error.code, "errorMessage": error.message})  # fmt: skip
        if error.retriable and delivery.attempts <= max_retries and age < max_age:
            delay = self.backoff(delivery.attempts)
            with self._cv:
                heapq.heappush(self._heap, (self.clock() + delay, next(self._sequence), delivery))
            return
        condition = ""
        if error.retriable:
            condition = "MaximumRetryAttempts" if age < max_age else "MaximumEventAgeInSeconds"
        self._give_up(delivery, error, condition)

    def _give_up(self, delivery: Delivery, error: DeliveryError, condition: str = "") -> None:
        arn = str(delivery.target.get("Arn") or "")
        dead_letter = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        prefix = "SCHEDULE_ARN" if delivery.channel == "scheduler" else "RULE_ARN"
        attributes = {
            prefix: delivery.origin_arn,
            "TARGET_ARN": arn,
            "ERROR_CODE": error.code,
            "ERROR_MESSAGE": error.message[:256],
            "EXHAUSTED_RETRY_CONDITION": condition,
            "RETRY_ATTEMPTS": str(max(0, delivery.attempts - 1)),
        }
        body = json.dumps(delivery.event) if delivery.event is not None else delivery.payload
        if dead_letter:
            try:
                self.targets.dead_letter(dead_letter, body, attributes)
            except Exception as exc:
                log.error("%s: cannot reach the DLQ %s: %s", delivery.origin, dead_letter, exc)
                self._record(delivery, "dropped", function=arn, destination=dead_letter, error=str(exc),
                             note=f"DLQ {dead_letter} unreachable ({exc}): DROPPED")  # fmt: skip
                return
            self._record(delivery, "dead-letter", function=arn, destination=dead_letter, attributes=attributes)
            return
        log.error("%s: event for %s not delivered (%s: %s) and the target has no DeadLetterConfig: dropped",
                  delivery.origin, arn, error.code, error.message)  # fmt: skip
        self._record(delivery, "dropped", function=arn, attributes=attributes,
                     note=f"{error.code}: {error.message}; no DeadLetterConfig: DROPPED")  # fmt: skip

    def _record(self, delivery: Delivery, kind: str, **extra: Any) -> None:
        self.events.record(
            delivery.channel,
            kind,
            delivery.origin,
            _body(delivery.payload),
            source=delivery.origin_arn,
            target_id=delivery.target.get("Id"),
            attempt=delivery.attempts,
            event_id=(delivery.event or {}).get("id"),
            **{**delivery.extra, **extra},
        )


def _body(payload: str) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        return payload
