"""Pagination: complete, ordered, no duplicates or gaps, cursors bound to the caller and the filter."""

from __future__ import annotations

import pytest

from tests.todos.client import create_todo, list_all

TOTAL = 250


@pytest.fixture
def many(api):
    """250 of alice's todos (every third one done), in creation order."""
    ids = []
    for n in range(TOTAL):
        ids.append(create_todo(api, "alice", f"todo {n}")["todoId"])
    done = set(ids[::3])
    for todo_id in done:
        assert api.request("alice", "PATCH", f"/todos/{todo_id}", json={"done": True}).status == 200
    create_todo(api, "bob", "bob's")
    return ids, done


def _flatten(pages):
    return [item["todoId"] for page in pages for item in page]


def test_walk_all_pages_every_way(api, many):
    """One data set, walked with several page sizes and both filters (building it is the slow part)."""
    ids, done_ids = many
    for limit in (7, 100):
        pages = list_all(api, "alice", limit=limit)
        assert all(len(page) == limit for page in pages[:-1])
        assert 0 < len(pages[-1]) <= limit
        assert _flatten(pages) == list(reversed(ids)), f"limit={limit}"

    for done, limit in (("true", 9), ("false", 20), ("true", 100)):
        expected = [i for i in reversed(ids) if (i in done_ids) == (done == "true")]
        pages = list_all(api, "alice", limit=limit, done=done)
        assert all(len(page) == limit for page in pages[:-1]), f"done={done} limit={limit}"
        assert _flatten(pages) == expected, f"done={done} limit={limit}"
        assert all(item["done"] is (done == "true") for page in pages for item in page)

    default = api.request("alice", "GET", "/todos").json()
    assert [item["todoId"] for item in default["items"]] == list(reversed(ids))[:20]
    assert default["nextCursor"]


def test_walk_one_by_one(api):
    ids = [create_todo(api, "alice", f"t{n}")["todoId"] for n in range(12)]
    for todo_id in ids[::4]:
        api.request("alice", "PATCH", f"/todos/{todo_id}", json={"done": True})
    assert _flatten(list_all(api, "alice", limit=1)) == list(reversed(ids))
    assert _flatten(list_all(api, "alice", limit=1, done="true")) == list(reversed(ids[::4]))


def test_exact_fit_has_no_next_page(api):
    for n in range(10):
        create_todo(api, "alice", f"t{n}")
    body = api.request("alice", "GET", "/todos", query={"limit": "10"}).json()
    assert len(body["items"]) == 10
    assert body["nextCursor"] is None


def _first_cursor(api, user="alice", **query):
    for n in range(3):
        create_todo(api, user, f"t{n}")
    body = api.request(user, "GET", "/todos", query={"limit": "1", **query}).json()
    assert body["nextCursor"]
    return body["nextCursor"]


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1 :]


@pytest.mark.parametrize("tamper", ["payload", "mac", "truncate", "garbage", "empty-mac", "extra-part"])
def test_tampered_cursor_is_400(api, tamper):
    cursor = _first_cursor(api)
    bad = {
        "payload": _flip(cursor, 2),
        "mac": _flip(cursor, len(cursor) - 2),
        "truncate": cursor[:-4],
        "garbage": "not-a-cursor",
        "empty-mac": cursor.split(".")[0] + ".",
        "extra-part": cursor + ".x",
    }[tamper]
    response = api.request("alice", "GET", "/todos", query={"cursor": bad, "limit": "1"})
    assert response.status == 400
    assert response.json()["code"] == "InvalidCursor"


def test_cursor_of_another_user_is_400(api):
    cursor = _first_cursor(api, "alice")
    create_todo(api, "bob", "b")
    response = api.request("bob", "GET", "/todos", query={"cursor": cursor, "limit": "1"})
    assert response.status == 400
    assert response.json()["code"] == "InvalidCursor"


@pytest.mark.parametrize(("made_with", "used_with"), [({}, {"done": "false"}), ({"done": "false"}, {"done": "true"})])
def test_cursor_of_another_filter_is_400(api, made_with, used_with):
    cursor = _first_cursor(api, **made_with)
    response = api.request("alice", "GET", "/todos", query={"cursor": cursor, **used_with})
    assert response.status == 400


def test_cursor_survives_a_change_of_page_size(api):
    ids = [create_todo(api, "alice", f"t{n}")["todoId"] for n in range(6)]
    first = api.request("alice", "GET", "/todos", query={"limit": "2"}).json()
    rest = api.request("alice", "GET", "/todos", query={"limit": "10", "cursor": first["nextCursor"]}).json()
    assert [i["todoId"] for i in first["items"] + rest["items"]] == list(reversed(ids))
    assert rest["nextCursor"] is None
