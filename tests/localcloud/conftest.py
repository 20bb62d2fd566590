"""Fixtures shared by the localcloud tests: localcloud on the console fixture template, and a root
localcloud a test can stop and start again on the same state (`restartable`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.localcloud import ROOT, LocalCloudProcess

CONSOLE_TEMPLATE = Path(__file__).parent / "templates" / "console" / "template.yaml"


@pytest.fixture(scope="session")
def console_cloud(tmp_path_factory):
    """localcloud on templates/console, not quiet: its log file holds the terminal's traffic lines."""
    state = tmp_path_factory.mktemp("console")
    cloud = LocalCloudProcess(CONSOLE_TEMPLATE, state, state / "terminal.log").start(quiet=False)
    yield cloud
    cloud.stop()


@pytest.fixture
def console_app(console_cloud):
    """The console fixture's outputs, with the data wiped after the test."""
    yield console_cloud, console_cloud.endpoints["outputs"]["Root"]
    console_cloud.reset()


@pytest.fixture
def restartable(tmp_path):
    """start(*extra) → a root localcloud on tmp_path's state; every one started is stopped at the end."""
    clouds: list[LocalCloudProcess] = []

    def start(*extra: str) -> LocalCloudProcess:
        cloud = LocalCloudProcess(ROOT / "template.yaml", tmp_path, tmp_path / f"log{len(clouds)}.txt", extra=extra)
        clouds.append(cloud.start())
        return cloud

    yield start
    for cloud in clouds:
        cloud.stop()
