"""Session-wide fixtures: one localcloud on the real root template, reset between the tests that use it."""

from __future__ import annotations

import os

import pytest

from tests.support import summaries
from tests.support.faults import faults  # noqa: F401 (the fixture: fault rules cleared after each test)
from tests.support.localcloud import ROOT, LocalCloudProcess

for key, value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}.items():
    os.environ.setdefault(key, value)
for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(key, None)


@pytest.fixture(scope="session")
def localcloud_session(tmp_path_factory):
    state = tmp_path_factory.mktemp("localcloud")
    cloud = LocalCloudProcess(ROOT / "template.yaml", state, state / "localcloud.log").start()
    yield cloud
    cloud.stop()


@pytest.fixture
def localcloud(localcloud_session):
    """localcloud with empty data: resources kept, items/objects/messages/users/mail wiped after the test."""
    yield localcloud_session
    localcloud_session.reset()


def pytest_collection_modifyitems(items):
    """Mark every test that runs on a started localcloud `localcloud`, so pipelines can split the stages.

    A test is one when it uses the session's localcloud, is the `localcloud` case of a parametrized fixture
    (as the todos `api` fixture runs every API test in process and through localcloud), or its module starts
    one of its own on a fixture template (it imports LocalCloudProcess). The team pipeline runs
    `-m "not localcloud"` as its unit stage and `-m localcloud` as its integration stage; `make test` runs both.
    """
    for item in items:
        module = getattr(item, "module", None)
        params = getattr(getattr(item, "callspec", None), "params", {})
        if (
            "localcloud_session" in item.fixturenames
            or "localcloud" in params.values()
            or getattr(module, "LocalCloudProcess", None) is not None
        ):
            item.add_marker(pytest.mark.localcloud)


# Hooks of the summary live here, the one conftest xdist's controller loads.
def pytest_runtest_logreport(report):
    summaries.record(report)


def pytest_terminal_summary(terminalreporter):
    summaries.write_corpus_count(terminalreporter)
    summaries.write_browser_note(terminalreporter)
