"""The todos API's happy paths and HTTP semantics, through any ApiClient."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.todos.client import create_todo, list_all


def test_create_returns_201_with_item_location_and_etag(api):
    response = api.request("alice", "POST", "/todos", json={"title": "Buy milk", "notes": "2 l", "due": "2025-12-01"})
    assert response.status == 201
    item = response.json()
    assert item["title"] == "Buy milk"
    assert (item["notes"], item["due"], item["done"], item["version"]) == ("2 l", "2025-12-01", False, 1)
    assert item["createdAt"] == item["updatedAt"]
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"].endswith(f"/todos/{item['todoId']}")


def test_created_todo_reads_back_identically(api):
    created = create_todo(api, "alice", "Call mum")
    response = api.request("alice", "GET", f"/todos/{created['todoId']}")
    assert response.status == 200
    assert response.json() == created
    assert response.headers["ETag"] == '"1"'


def test_optional_fields_default_to_null(api):
    item = create_todo(api, "alice", "Just a title")
    assert item["notes"] is None and item["due"] is None and item["done"] is False


def test_list_is_newest_first_and_only_the_callers(api):
    ids = [create_todo(api, "alice", f"todo {n}")["todoId"] for n in range(5)]
    create_todo(api, "bob", "bob's own")
    response = api.request("alice", "GET", "/todos")
    assert response.status == 200
    page = response.json()
    assert [item["todoId"] for item in page["items"]] == list(reversed(ids))
    assert page["nextCursor"] is None
    created = [datetime.fromisoformat(item["createdAt"]) for item in page["items"]]
    assert created == sorted(created, reverse=True)


def test_empty_list(api):
    assert api.request("carol", "GET", "/todos").json() == {"items": [], "nextCursor": None}


def test_put_replaces_everything_absent_fields_reset(api):
    item = create_todo(api, "alice", "old", notes="n", due="2025-01-01")
    response = api.request("alice", "PUT", f"/todos/{item['todoId']}", json={"title": "new"})
    assert response.status == 200
    replaced = response.json()
    assert (replaced["title"], replaced["notes"], replaced["due"], replaced["done"]) == ("new", None, None, False)
    assert replaced["version"] == 2
    assert replaced["createdAt"] == item["createdAt"]
    assert replaced["updatedAt"] >= item["updatedAt"]
    assert response.headers["ETag"] == '"2"'
    assert api.request("alice", "GET", f"/todos/{item['todoId']}").json() == replaced


def test_put_sets_all_fields(api):
    item = create_todo(api, "alice", "old")
    body = {"title": "t", "notes": "n", "due": "2026-02-28", "done": True}
    replaced = api.request("alice", "PUT", f"/todos/{item['todoId']}", json=body).json()
    assert {k: replaced[k] for k in body} == body


def test_patch_changes_only_given_fields_and_null_clears(api):
    item = create_todo(api, "alice", "title", notes="keep?", due="2025-05-05")
    path = f"/todos/{item['todoId']}"
    done = api.request("alice", "PATCH", path, json={"done": True}).json()
    assert (done["title"], done["notes"], done["due"], done["done"], done["version"]) == (
        "title",
        "keep?",
        "2025-05-05",
        True,
        2,
    )
    cleared = api.request("alice", "PATCH", path, json={"notes": None, "due": None}).json()
    assert (cleared["notes"], cleared["due"], cleared["done"], cleared["version"]) == (None, None, True, 3)
    assert api.request("alice", "GET", path).json() == cleared


def test_delete_then_gone(api):
    item = create_todo(api, "alice", "bye")
    path = f"/todos/{item['todoId']}"
    response = api.request("alice", "DELETE", path)
    assert response.status == 204
    assert response.body == b""
    assert api.request("alice", "GET", path).status == 404
    second = api.request("alice", "DELETE", path)
    assert second.status == 404
    assert second.json()["code"] == "TodoNotFound"
    assert api.request("alice", "GET", "/todos").json()["items"] == []


@pytest.mark.parametrize("if_match", ["2", '"2"', 'W/"2"'])
def test_if_match_forms_are_accepted(api, if_match):
    item = create_todo(api, "alice", "v")
    path = f"/todos/{item['todoId']}"
    api.request("alice", "PATCH", path, json={"title": "v2"})
    response = api.request("alice", "PATCH", path, json={"title": "v3"}, headers={"If-Match": if_match})
    assert response.status == 200
    assert response.json()["version"] == 3


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_stale_if_match_is_412_and_changes_nothing(api, method):
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    current = api.request("alice", "PATCH", path, json={"title": "v2"}).json()
    body = {"title": "lost update"} if method != "DELETE" else None
    kwargs = {"json": body} if body else {}
    response = api.request("alice", method, path, headers={"If-Match": '"1"'}, **kwargs)
    assert response.status == 412
    assert response.json()["code"] == "VersionMismatch"
    assert api.request("alice", "GET", path).json() == current


def test_delete_with_current_if_match(api):
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    assert api.request("alice", "DELETE", path, headers={"If-Match": '"1"'}).status == 204
    assert api.request("alice", "DELETE", path, headers={"If-Match": '"1"'}).status == 404


def test_if_match_on_a_missing_todo_is_404_not_412(api):
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    api.request("alice", "DELETE", path)
    assert api.request("alice", "PATCH", path, json={"done": True}, headers={"If-Match": "1"}).status == 404


def test_done_filter(api):
    ids = [create_todo(api, "alice", f"t{n}")["todoId"] for n in range(6)]
    for todo_id in ids[::2]:
        api.request("alice", "PATCH", f"/todos/{todo_id}", json={"done": True})
    done = [item["todoId"] for page in list_all(api, "alice", done="true") for item in page]
    open_ = [item["todoId"] for page in list_all(api, "alice", done="false") for item in page]
    assert done == list(reversed(ids[::2]))
    assert open_ == list(reversed(ids[1::2]))
