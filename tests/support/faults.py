"""Fault injection from tests: add rules to a running localcloud (see localcloud/faults) and clear them
when the test ends, pass or fail.

    def test_retried(faults):                      # the session localcloud's rules
        faults.add(service="dynamodb", resource=table, count=2)

    with injected(cloud) as faults:                 # any LocalCloudProcess
        faults.crash("Worker", seconds=0.2)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.localcloud import LocalCloudProcess


class FaultInjector:
    """The fault rules of one running localcloud, over its control API."""

    def __init__(self, cloud: LocalCloudProcess):
        self.cloud = cloud
        self.url = f"{cloud.base}/_local/control/faults"

    def add(self, **rule: Any) -> dict:
        """One rule: kind ("error", "crash", "delay"), service, action, resource, error, status, message,
        count, probability, seconds. Returns it with its id."""
        response = self.cloud.http.post(self.url, json=rule, timeout=30)
        if response.status_code != 201:
            raise AssertionError(f"fault rule refused ({response.status_code}): {response.text}")
        return response.json()["fault"]

    def error(self, service: str, **rule: Any) -> dict:
        return self.add(kind="error", service=service, **rule)

    def crash(self, function: str, seconds: float = 0.0, **rule: Any) -> dict:
        return self.add(kind="crash", resource=function, seconds=seconds, **rule)

    def delay(self, function: str, seconds: float, **rule: Any) -> dict:
        return self.add(kind="delay", resource=function, seconds=seconds, **rule)

    def rules(self) -> list[dict]:
        response = self.cloud.http.get(self.url, timeout=30)
        response.raise_for_status()
        return response.json()["faults"]

    def hits(self, rule: dict) -> int:
        return next(r["hits"] for r in self.rules() if r["id"] == rule["id"])

    def clear(self) -> None:
        self.cloud.http.delete(self.url, timeout=30).raise_for_status()


@contextlib.contextmanager
def injected(cloud: LocalCloudProcess) -> Iterator[FaultInjector]:
    injector = FaultInjector(cloud)
    injector.clear()
    try:
        yield injector
    finally:
        injector.clear()


@pytest.fixture
def faults(localcloud_session) -> Iterator[FaultInjector]:
    """Fault rules on the session's localcloud, cleared after the test (reset clears them too)."""
    with injected(localcloud_session) as injector:
        yield injector
