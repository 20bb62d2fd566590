"""Session-wide fixtures: one localcloud on the real root template, reset between the tests that use it."""

from __future__ import annotations

import os

import pytest

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
