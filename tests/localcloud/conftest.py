"""Fixtures shared by the console tests: localcloud on the console fixture template, and a loud note
when the Swagger UI browser test could not run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.localcloud import LocalCloudProcess

CONSOLE_TEMPLATE = Path(__file__).parent / "templates" / "console" / "template.yaml"
BROWSER_SKIP_MARK = "chromium is not installed"


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


def pytest_terminal_summary(terminalreporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any(BROWSER_SKIP_MARK in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_sep("!", "THE SWAGGER UI BROWSER TEST DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(
            "chromium could not be found at /usr/bin/chromium. Install it with `make browser-deps` "
            "(apt-get install chromium chromium-driver) and run tests/localcloud/test_console_browser.py.",
            red=True,
        )
