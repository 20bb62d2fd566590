"""`EventBridge`: the buses, their rules' deliveries and the schedules of one running localcloud.

It wires the parts together: the front's EventsApi hands PutEvents to the router, moto's own event
hops arrive through the moto hook, Lambda targets are invoked through the function's asynchronous
queue (the Lambda async machinery in localcloud.sources: the function's retries, maximum age,
destinations and DLQ apply), and the scheduler fires scheduled rules and schedules.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from localcloud.eventbridge import moto_hook
from localcloud.eventbridge.entries import iso_time
from localcloud.eventbridge.router import EventRouter
from localcloud.eventbridge.scheduler import Scheduler
from localcloud.eventbridge.targets import Targets, arn_parts
from localcloud.model import Deployment, EventLog

_CHANNELS = {"AWS::Events::Rule": "events", "AWS::Scheduler::Schedule": "scheduler"}
_ENABLED = ("ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS")


class EventBridge:
    def __init__(
        self,
        deployment: Deployment,
        aws: Callable[[str], Any],
        events: EventLog,
        *,
        async_queue: Callable[[str, Any], str],
        invoke_async: Callable[[str, str, str], Any],
        clock: Callable[[], float] = time.time,
    ):
        """`async_queue(channel, function_spec)` makes the function's hidden async queue;
        `invoke_async(channel, function_arn, payload)` invokes it through that queue."""
        self.deployment = deployment
        self.aws = aws
        self.async_queue = async_queue
        self.targets = Targets(aws, invoke_async=invoke_async, put_to_bus=self._put_to_bus)
        self.router = EventRouter(self.targets, events, account=deployment.account_id, region=deployment.region,
                                  clock=clock)  # fmt: skip
        self.scheduler = Scheduler(self.router, account=deployment.account_id, region=deployment.region, clock=clock)

    def prepare(self) -> None:
        """Make the async queues of the template's Lambda targets now, so saved messages can be put back."""
        for resource in self.deployment.of_type(*_CHANNELS):
            targets = resource.properties.get("Targets") or [resource.properties.get("Target") or {}]
            for target in targets:
                arn = str((target or {}).get("Arn") or "")
                spec = self.deployment.function(arn) if arn_parts(arn)[0] == "lambda" else None
                if spec is not None:
                    self.async_queue(_CHANNELS[resource.type], spec)

    def start(self) -> None:
        moto_hook.install(self._from_moto)
        self.router.start()
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()
        self.router.stop()

    def reset(self) -> None:
        self.router.reset()

    def idle_mark(self) -> tuple[bool, int]:
        """(no delivery pending, deliveries finished so far): equal marks around a check mean no hop."""
        return self.router.idle(), self.router.completed

    def route(self, bus: str, event: dict, *, source: str = "PutEvents") -> None:
        self.router.route(bus, event, source=source)

    def fire(self, key: str) -> dict:
        """Fire a scheduled rule or schedule now, by `Stack/LogicalId`, name or ARN."""
        return self.scheduler.fire(self._schedule_arn(key))

    def fire_request(self, key: str) -> tuple[int, dict]:
        """The control API's answer to `schedule fire KEY`: 200 with what fired, or 404 naming the choices."""
        try:
            return 200, self.fire(key)
        except LookupError as exc:
            if "ambiguous" in str(exc):
                return 404, {"message": str(exc.args[0])}
            known = ", ".join(row["address"] or row["name"] for row in self.listing()) or "none"
            return 404, {"message": f"no scheduled rule or schedule {key!r}; there are: {known}"}

    def listing(self) -> list[dict]:
        """Every scheduled rule and schedule, with its address and next firing (the console's table)."""
        addresses = {r.attrs.get("Arn"): r.address for r in self.deployment.of_type(*_CHANNELS)}
        return [{**row, "address": addresses.get(row["arn"], "")} for row in self.scheduler.listing()]

    def overview(self) -> list[dict]:
        """Every rule on every bus and every schedule: what it matches or when it fires, its state, its
        targets and its next firing (the console's table and `/_local/api/eventbridge`)."""
        from moto.events.models import events_backends

        addresses = {r.attrs.get("Arn"): r.address for r in self.deployment.of_type(*_CHANNELS)}
        upcoming = {row["arn"]: row for row in self.scheduler.listing()}
        rows = []
        for bus in events_backends[self.deployment.account_id][self.deployment.region].event_buses.values():
            for rule in bus.rules.values():
                pattern = rule.event_pattern.dump() if rule.event_pattern else None
                rows.append({
                    "kind": "rule", "address": addresses.get(rule.arn, ""), "name": rule.name, "bus": bus.name,
                    "arn": rule.arn, "state": rule.state, "pattern": pattern,
                    "schedule": rule.scheduled_expression, "targets": [t.get("Arn") for t in rule.targets],
                    "next": (upcoming.get(rule.arn) or {}).get("next"),
                })  # fmt: skip
        for row in upcoming.values():
            if row["kind"] == "schedule":
                target = (row.get("target") or {}).get("Arn")
                rows.append({**row, "address": addresses.get(row["arn"], ""), "bus": None, "pattern": None,
                             "schedule": row["expression"], "targets": [target] if target else []})  # fmt: skip
        return rows

    def _schedule_arn(self, key: str) -> str:
        matches = [r for r in self.deployment.of_type(*_CHANNELS) if key in (r.address, r.logical_id)]
        if len(matches) > 1:
            raise LookupError(f"{key!r} is ambiguous; say which: {', '.join(r.address for r in matches)}")
        return str(matches[0].attrs.get("Arn")) if matches else key

    def _put_to_bus(self, bus: str, event: dict) -> None:
        from localcloud.eventbridge.router import bus_exists

        if not bus_exists(self.deployment.account_id, self.deployment.region, bus):
            raise LookupError(f"Event bus {bus} does not exist.")
        self.router.route(bus, event, source="bus target")

    def _from_moto(self, rule: Any, event: dict) -> None:
        if isinstance(event.get("time"), (int, float)):
            event["time"] = iso_time(float(event["time"]))
        event.pop("ingestion-time", None)
        if rule.state in _ENABLED and self.router.matches(rule, event):
            self.router.submit_rule(rule, event)
