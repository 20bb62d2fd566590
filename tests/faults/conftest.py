"""localcloud on the fault-injection fixture template (tests/localcloud/templates/faults), once for the
package, with data and fault rules wiped after each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.faults import injected
from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).resolve().parents[1] / "localcloud" / "templates" / "faults" / "template.yaml"


@pytest.fixture(scope="session")
def fault_cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "faults")


@pytest.fixture
def app(fault_cloud):
    """(the cloud, its outputs, its fault injector); everything wiped after the test."""
    with injected(fault_cloud) as faults:
        yield fault_cloud, fault_cloud.endpoints["outputs"]["Root"], faults
    fault_cloud.reset()


def log_entries(cloud: LocalCloudProcess, function: str) -> list[dict]:
    """The function's log lines, each with its request id."""
    return cloud.http.get(f"{cloud.base}/_local/api/logs/{function}", timeout=30).json()


def log_lines(cloud: LocalCloudProcess, function: str, prefix: str = "") -> list[str]:
    return [entry["line"] for entry in log_entries(cloud, function) if entry["line"].startswith(prefix)]


def drain(cloud: LocalCloudProcess, queue_url: str) -> list[dict]:
    """Every message of a queue nobody consumes (received, not deleted)."""
    sqs = cloud.aws("sqs")
    seen: dict[str, dict] = {}
    for _ in range(5):
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        for message in got.get("Messages", []):
            seen[message["MessageId"]] = message
        if not got.get("Messages"):
            break
    return list(seen.values())


def processed(cloud: LocalCloudProcess, table: str) -> set[str]:
    return {item["id"]["S"] for item in cloud.aws("dynamodb").scan(TableName=table)["Items"]}
