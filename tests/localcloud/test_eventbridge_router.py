"""Delivery retries and dead-letter queues (localcloud.eventbridge.router) with a fake target and an
injected clock and backoff: no server, no waiting beyond a few milliseconds."""

from __future__ import annotations

import time

import pytest

from localcloud.eventbridge.router import Delivery, EventRouter
from localcloud.eventbridge.targets import DeliveryError
from localcloud.model import EventLog


class FlakyTargets:
    def __init__(self, failures: int, retriable: bool = True):
        self.failures = failures
        self.retriable = retriable
        self.sent: list[str] = []
        self.dead: list[tuple[str, str, dict]] = []

    def send(self, channel, target, payload, event):
        if self.failures:
            self.failures -= 1
            raise DeliveryError("ThrottlingException" if self.retriable else "ResourceNotFoundException",
                                "try again" if self.retriable else "gone", retriable=self.retriable)  # fmt: skip
        self.sent.append(payload)
        return "sent"

    def dead_letter(self, arn, body, attributes):
        self.dead.append((arn, body, attributes))


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def log():
    return EventLog()


def run(router: EventRouter, delivery: Delivery) -> None:
    router.start()
    router.submit(delivery)
    deadline = time.monotonic() + 5
    while not router.idle() and time.monotonic() < deadline:
        time.sleep(0.005)
    router.stop()


def delivery(policy: dict | None = None, dlq: str | None = "arn:aws:sqs:us-east-1:123456789012:dlq", created=None):
    target = {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}
    if policy is not None:
        target["RetryPolicy"] = policy
    if dlq:
        target["DeadLetterConfig"] = {"Arn": dlq}
    return Delivery("events", "rule", "arn:aws:events:us-east-1:123456789012:rule/rule", target, '{"a": 1}',
                    {"id": "e1", "detail": {}}, time.time() if created is None else created)  # fmt: skip


def test_a_retriable_failure_is_retried_until_it_succeeds(log):
    targets = FlakyTargets(failures=2)
    router = EventRouter(targets, log, account="123456789012", region="us-east-1", backoff=lambda n: 0.001)
    run(router, delivery({"MaximumRetryAttempts": 5}))
    assert targets.sent == ['{"a": 1}'] and not targets.dead
    outcomes = [e["outcome"] for e in log.entries() if e["kind"] == "delivery"]
    assert outcomes == ["error", "error", "ok"]


def test_retries_exhausted_go_to_the_dead_letter_queue_with_eventbridges_attributes(log):
    targets = FlakyTargets(failures=10)
    router = EventRouter(targets, log, account="123456789012", region="us-east-1", backoff=lambda n: 0.001)
    run(router, delivery({"MaximumRetryAttempts": 2}))
    assert not targets.sent and len(targets.dead) == 1
    arn, body, attributes = targets.dead[0]
    assert arn.endswith(":dlq") and '"id": "e1"' in body
    assert attributes["RETRY_ATTEMPTS"] == "2" and attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["ERROR_CODE"] == "ThrottlingException" and attributes["RULE_ARN"].endswith("rule/rule")


def test_an_event_too_old_stops_retrying(log):
    clock = Clock()
    targets = FlakyTargets(failures=10)
    router = EventRouter(targets, log, account="123456789012", region="us-east-1", clock=clock,
                         backoff=lambda n: 0.0)  # fmt: skip
    clock.now = 1000.0 + 61
    run(router, delivery({"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 60}, created=1000.0))
    assert targets.dead[0][2]["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"


def test_a_target_that_cannot_be_reached_is_not_retried(log):
    targets = FlakyTargets(failures=1, retriable=False)
    router = EventRouter(targets, log, account="123456789012", region="us-east-1", backoff=lambda n: 0.001)
    run(router, delivery())
    assert len(targets.dead) == 1 and targets.dead[0][2]["RETRY_ATTEMPTS"] == "0"
    assert targets.dead[0][2]["ERROR_CODE"] == "ResourceNotFoundException"


def test_without_a_dead_letter_queue_the_event_is_logged_as_dropped(log, caplog):
    targets = FlakyTargets(failures=1, retriable=False)
    router = EventRouter(targets, log, account="123456789012", region="us-east-1")
    run(router, delivery(dlq=None))
    dropped = [e for e in log.entries() if e["kind"] == "dropped"]
    assert len(dropped) == 1 and "DROPPED" in dropped[0]["note"]
    assert "no DeadLetterConfig" in caplog.text
