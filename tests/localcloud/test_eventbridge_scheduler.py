"""When scheduled rules and Scheduler schedules fire (localcloud.eventbridge.scheduler), driven by an
injected clock over moto's own rule and schedule store: no waiting, no server."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from localcloud.eventbridge.scheduler import Scheduler
from localcloud.model import EventLog

T0 = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC).timestamp()
ACCOUNT = "123456789012"


class FakeRouter:
    def __init__(self):
        self.events = EventLog()
        self.rules: list[tuple[str, dict]] = []
        self.deliveries: list = []

    def submit_rule(self, rule, event):
        self.rules.append((rule.name, event))

    def submit(self, delivery):
        self.deliveries.append(delivery)


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def aws():
    with mock_aws():
        yield lambda service: boto3.client(service, region_name="us-east-1")


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def router():
    return FakeRouter()


@pytest.fixture
def scheduler(router, clock):
    return Scheduler(router, account=ACCOUNT, region="us-east-1", clock=clock, rng=random.Random(7))


def fired_at(scheduler, clock, seconds):
    clock.now = T0 + seconds
    return scheduler.tick()


def test_a_rate_rule_fires_one_period_after_it_is_first_seen_then_every_period(aws, scheduler, clock, router):
    aws("events").put_rule(Name="tick", ScheduleExpression="rate(1 minute)")
    assert fired_at(scheduler, clock, 0) == []
    assert fired_at(scheduler, clock, 59) == []
    assert fired_at(scheduler, clock, 60) == ["tick"]
    assert fired_at(scheduler, clock, 61) == []
    assert fired_at(scheduler, clock, 121) == ["tick"]
    assert fired_at(scheduler, clock, 600) == ["tick"]  # missed periods fire once
    assert fired_at(scheduler, clock, 601) == []
    name, event = router.rules[0]
    assert name == "tick"
    rule_arn = aws("events").describe_rule(Name="tick")["Arn"]
    assert event["source"] == "aws.events" and event["detail-type"] == "Scheduled Event"
    assert event["resources"] == [rule_arn] and event["detail"] == {} and event["time"] == "2026-03-02T10:01:30Z"


def test_a_cron_rule_fires_at_its_minutes_in_utc(aws, scheduler, clock):
    aws("events").put_rule(Name="quarter", ScheduleExpression="cron(0/15 * * * ? *)")
    assert fired_at(scheduler, clock, 0) == []
    assert fired_at(scheduler, clock, 14 * 60 + 29) == []
    assert fired_at(scheduler, clock, 14 * 60 + 30) == ["quarter"]  # 10:15:00


def test_a_disabled_rule_fires_only_when_asked(aws, scheduler, clock, router):
    aws("events").put_rule(Name="paused", ScheduleExpression="rate(1 minute)", State="DISABLED")
    assert fired_at(scheduler, clock, 0) == [] and fired_at(scheduler, clock, 3600) == []
    fired = scheduler.fire("paused")
    assert fired["disabled"] and fired["name"] == "paused" and len(router.rules) == 1
    with pytest.raises(LookupError):
        scheduler.fire("nope")


def test_a_rule_enabled_later_starts_firing(aws, scheduler, clock):
    events = aws("events")
    events.put_rule(Name="later", ScheduleExpression="rate(1 minute)", State="DISABLED")
    assert fired_at(scheduler, clock, 0) == []
    events.enable_rule(Name="later")
    assert fired_at(scheduler, clock, 61) == []  # its periods still count from when it was first seen
    assert fired_at(scheduler, clock, 120) == ["later"]


def _schedule(aws, name: str, expression: str, **extra):
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:q", "RoleArn": "arn:aws:iam::123456789012:role/r"}
    target.update(extra.pop("target", {}))
    aws("scheduler").create_schedule(Name=name, ScheduleExpression=expression, Target=target,
                                     FlexibleTimeWindow=extra.pop("window", {"Mode": "OFF"}), **extra)  # fmt: skip


def test_a_schedule_fires_between_start_and_end_with_its_context_attributes(aws, scheduler, clock, router):
    start = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    end = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)
    _schedule(
        aws,
        "hourly",
        "rate(1 hour)",
        StartDate=start,
        EndDate=end,
        target={"Input": '{"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>"}'},
    )
    assert fired_at(scheduler, clock, 0) == []
    assert fired_at(scheduler, clock, 3600 - 31) == []
    assert fired_at(scheduler, clock, 3600 - 30) == ["hourly"]  # 11:00, the StartDate
    assert fired_at(scheduler, clock, 2 * 3600 - 30) == ["hourly"]
    assert fired_at(scheduler, clock, 3 * 3600 - 30) == ["hourly"]  # 13:00
    assert fired_at(scheduler, clock, 4 * 3600 - 30) == []  # 14:00 is past the EndDate
    payload = json.loads(router.deliveries[0].payload)
    assert payload["arn"].endswith(":schedule/default/hourly") and payload["at"] == "2026-03-02T11:00:00Z"
    assert router.deliveries[0].channel == "scheduler"


def test_a_schedule_without_input_sends_the_scheduled_event(aws, scheduler, clock, router):
    _schedule(aws, "plain", "cron(0 12 * * ? *)", ScheduleExpressionTimezone="Europe/Paris")
    assert fired_at(scheduler, clock, 0) == []
    assert fired_at(scheduler, clock, 3600 - 31) == []
    assert fired_at(scheduler, clock, 3600 - 30) == ["plain"]  # 12:00 in Paris is 11:00 UTC
    event = json.loads(router.deliveries[0].payload)
    assert event["source"] == "aws.scheduler" and event["detail-type"] == "Scheduled Event"


def test_a_flexible_window_delays_within_its_minutes(aws, scheduler, clock):
    _schedule(aws, "flex", "cron(0 11 * * ? *)", window={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10})
    fired_at(scheduler, clock, 0)
    due = datetime.fromisoformat(scheduler.listing()[0]["next"])
    assert datetime(2026, 3, 2, 11, 0, tzinfo=UTC) <= due <= datetime(2026, 3, 2, 11, 10, tzinfo=UTC)
    seconds = due.timestamp() - T0
    assert fired_at(scheduler, clock, seconds - 1) == [] and fired_at(scheduler, clock, seconds) == ["flex"]


def test_listing_shows_the_next_firing_of_enabled_ones_only(aws, scheduler, clock):
    aws("events").put_rule(Name="tick", ScheduleExpression="rate(5 minutes)")
    aws("events").put_rule(Name="off", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    fired_at(scheduler, clock, 0)
    rows = {row["name"]: row for row in scheduler.listing()}
    assert rows["tick"]["next"] == "2026-03-02T10:05:30+00:00" and rows["off"]["next"] is None
