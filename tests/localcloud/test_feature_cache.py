"""Stage cache end to end: a GET behind a Cognito authorizer, cached per caller (the Authorization header
is a cache-key parameter) for 1 second. A repeat within the TTL is served without running the function,
another user never sees the first user's body, and after the TTL the function runs again."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import LocalCloudProcess

TEMPLATE = Path(__file__).parent / "templates" / "cache" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    state = tmp_path_factory.mktemp("cache")
    process = LocalCloudProcess(TEMPLATE, state, state / "log.txt").start()
    yield process
    process.stop()


def me(cloud: LocalCloudProcess, user: str | None) -> requests.Response:
    headers = {"Authorization": cloud.tokens(user)["IdToken"]} if user else {}
    return cloud.http.get(cloud.api_url("Api") + "/me", headers=headers, timeout=30)


def sub_of(cloud: LocalCloudProcess, user: str) -> str:
    attributes = cloud.aws("cognito-idp").get_user(AccessToken=cloud.tokens(user)["AccessToken"])["UserAttributes"]
    return next(a["Value"] for a in attributes if a["Name"] == "sub")


def test_cached_per_caller_for_the_ttl(cloud):
    cloud.tokens("ann"), cloud.tokens("bob")  # sign both up before the clock matters
    first = me(cloud, "ann")
    again = me(cloud, "ann")
    assert first.status_code == again.status_code == 200, first.text
    assert first.json()["sub"] == sub_of(cloud, "ann")
    assert again.json() == first.json(), "a repeat within the TTL must come from the cache"

    other = me(cloud, "bob")
    assert other.status_code == 200
    assert other.json()["sub"] == sub_of(cloud, "bob")
    assert (other.json()["pid"], other.json()["invocation"]) != (first.json()["pid"], first.json()["invocation"])

    deadline = time.monotonic() + 5
    while (later := me(cloud, "ann").json()) == first.json() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert later["sub"] == first.json()["sub"]
    assert later != first.json(), "after the 1 s TTL the function must run again"


def test_the_authorizer_still_guards_cached_responses(cloud):
    assert me(cloud, "ann").status_code == 200
    response = me(cloud, None)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
