"""Read-your-writes with the stage cache on (the root template with EnableApiCache=true, on localcloud):
a read right after a write still gets the cached answer, unless it carries `Cache-Control: max-age=0`,
which refreshes the caller's own entry only; another user's max-age=0 neither flushes nor reveals it."""

from __future__ import annotations

import pytest

from tests.support.localcloud import ROOT, LocalCloudProcess
from tests.todos.http_client import API_ADDRESS

FRESH = {"Cache-Control": "max-age=0"}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    state = tmp_path_factory.mktemp("todos-cache")
    cache_on = ("--param", "EnableApiCache=true")
    process = LocalCloudProcess(ROOT / "template.yaml", state, state / "log.txt", extra=cache_on)
    yield process.start()
    process.stop()


def call(cloud, user: str | None, method: str, path: str, headers: dict | None = None, **kwargs):
    sent = {**({"Authorization": cloud.tokens(user)["IdToken"]} if user else {}), **(headers or {})}
    return cloud.http.request(method, cloud.api_url(API_ADDRESS) + path, headers=sent, timeout=60, **kwargs)


def titles(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["title"] for item in response.json()["items"]]


def test_a_write_is_visible_on_the_next_read_with_max_age_0_and_the_cache_is_on(cloud):
    assert titles(call(cloud, "ann", "GET", "/todos")) == []
    assert call(cloud, "ann", "POST", "/todos", json={"title": "milk"}).status_code == 201
    assert titles(call(cloud, "ann", "GET", "/todos")) == [], "within the TTL the cached list answers"
    fresh = call(cloud, "ann", "GET", "/todos", FRESH)
    assert titles(fresh) == ["milk"] and "Warning" not in fresh.headers
    assert titles(call(cloud, "ann", "GET", "/todos")) == ["milk"], "the fresh answer replaced the entry"


def test_another_users_max_age_0_never_flushes_or_reveals_mine(cloud):
    assert call(cloud, "cat", "POST", "/todos", json={"title": "first"}).status_code == 201
    assert titles(call(cloud, "cat", "GET", "/todos", FRESH)) == ["first"]
    assert call(cloud, "cat", "POST", "/todos", json={"title": "second"}).status_code == 201

    assert titles(call(cloud, "dan", "GET", "/todos", FRESH)) == [], "dan sees only his own list"
    assert titles(call(cloud, "cat", "GET", "/todos")) == ["first"], "cat's cached entry is untouched"
    assert titles(call(cloud, "cat", "GET", "/todos", FRESH)) == ["second", "first"]


def test_one_todo_read_after_its_update(cloud):
    todo = call(cloud, "eve", "POST", "/todos", json={"title": "old"}).json()
    path = f"/todos/{todo['todoId']}"
    assert call(cloud, "eve", "GET", path).json()["title"] == "old"
    assert call(cloud, "eve", "PATCH", path, json={"title": "new"}, headers={"If-Match": '"1"'}).status_code == 200
    assert call(cloud, "eve", "GET", path).json()["title"] == "old"
    fresh = call(cloud, "eve", "GET", path, FRESH)
    assert (fresh.json()["title"], fresh.headers["ETag"]) == ("new", '"2"')
    assert call(cloud, "fay", "GET", path, FRESH).status_code == 404


def test_without_a_token_max_age_0_meets_the_authorizer_first(cloud):
    assert call(cloud, None, "GET", "/todos", FRESH).status_code == 401
