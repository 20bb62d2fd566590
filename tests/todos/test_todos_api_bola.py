"""Broken object-level authorization: another user's todo behaves exactly as a missing one."""

from __future__ import annotations

import pytest

from tests.todos.client import create_todo


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("GET", None),
        ("PUT", {"title": "mine now", "done": True}),
        ("PATCH", {"title": "mine now"}),
        ("DELETE", None),
    ],
)
def test_other_users_todo_is_404_and_untouched(api, method, body):
    alices = create_todo(api, "alice", "private", notes="secret")
    path = f"/todos/{alices['todoId']}"
    kwargs = {"json": body} if body is not None else {}
    response = api.request("bob", method, path, **kwargs)
    assert response.status == 404
    missing = api.request("bob", "GET", "/todos/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert response.json()["code"] == missing.json()["code"]
    assert "secret" not in response.body.decode()
    assert api.request("alice", "GET", path).json() == alices
    assert api.request("alice", "GET", "/todos").json()["items"] == [alices]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_users_todo_with_its_real_version_is_still_404(api, method):
    alices = create_todo(api, "alice", "private")
    path = f"/todos/{alices['todoId']}"
    kwargs = {"json": {"title": "x"}} if method != "DELETE" else {}
    response = api.request("bob", method, path, headers={"If-Match": '"1"'}, **kwargs)
    assert response.status == 404
    assert api.request("alice", "GET", path).json() == alices


def test_lists_never_mix_users(api):
    alices = {create_todo(api, "alice", f"a{n}")["todoId"] for n in range(3)}
    bobs = {create_todo(api, "bob", f"b{n}")["todoId"] for n in range(2)}
    assert {item["todoId"] for item in api.request("alice", "GET", "/todos").json()["items"]} == alices
    assert {item["todoId"] for item in api.request("bob", "GET", "/todos").json()["items"]} == bobs
