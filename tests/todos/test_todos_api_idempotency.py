"""Safe retries of POST /todos with an Idempotency-Key, in process and through localcloud (the `api`
fixture runs each test both ways; every response is checked against openapi.yaml)."""

from __future__ import annotations

import uuid

import pytest

from tests.todos.client import list_all


def _key() -> str:
    return str(uuid.uuid4())


def _items(api, user: str) -> list[dict]:
    return [item for page in list_all(api, user) for item in page]


def test_five_retries_with_one_key_create_one_todo_and_replay_the_first_answer(api):
    key = _key()
    answers = [
        api.request("alice", "POST", "/todos", json={"title": "Buy milk"}, headers={"Idempotency-Key": key})
        for _ in range(5)
    ]
    assert [a.status for a in answers] == [201] * 5, answers[0]
    first = answers[0]
    assert all(a.json() == first.json() for a in answers), "every retry replays the first body (same id)"
    assert {a.headers["Location"] for a in answers} == {first.headers["Location"]}
    assert {a.headers["ETag"] for a in answers} == {'"1"'}
    assert [item["todoId"] for item in _items(api, "alice")] == [first.json()["todoId"]]


def test_the_same_key_with_another_body_is_422_and_creates_nothing(api):
    key = _key()
    first = api.request("alice", "POST", "/todos", json={"title": "Buy milk"}, headers={"Idempotency-Key": key})
    assert first.status == 201
    other = api.request("alice", "POST", "/todos", json={"title": "Buy bread"}, headers={"Idempotency-Key": key})
    assert other.status == 422, other
    assert other.json()["code"] == "IdempotencyKeyReused"
    assert key in other.json()["message"]
    assert [item["title"] for item in _items(api, "alice")] == ["Buy milk"]


def test_a_key_is_per_user_another_users_same_key_creates_their_own(api):
    key = _key()
    mine = api.request("alice", "POST", "/todos", json={"title": "same"}, headers={"Idempotency-Key": key})
    theirs = api.request("bob", "POST", "/todos", json={"title": "same"}, headers={"Idempotency-Key": key})
    assert mine.status == theirs.status == 201
    assert theirs.json()["todoId"] != mine.json()["todoId"], "bob must never get alice's answer"
    assert [i["todoId"] for i in _items(api, "bob")] == [theirs.json()["todoId"]]
    assert [i["todoId"] for i in _items(api, "alice")] == [mine.json()["todoId"]]


def test_without_a_key_every_post_creates(api):
    for _ in range(2):
        assert api.request("alice", "POST", "/todos", json={"title": "twice"}).status == 201
    assert len(_items(api, "alice")) == 2


@pytest.mark.parametrize("key", ["x" * 129, "has space", "é", "a/b", ""])
def test_a_malformed_key_is_400_and_creates_nothing(api, key):
    response = api.request("alice", "POST", "/todos", json={"title": "t"}, headers={"Idempotency-Key": key})
    assert response.status == 400, response
    assert response.json()["code"] == "InvalidIdempotencyKey"
    assert _items(api, "alice") == []


def test_a_rejected_create_keeps_the_key_free(api):
    """A create that fails (400) stores nothing under its key: the corrected retry creates."""
    key = _key()
    bad = api.request("alice", "POST", "/todos", json={"title": ""}, headers={"Idempotency-Key": key})
    assert bad.status == 400
    good = api.request("alice", "POST", "/todos", json={"title": "fixed"}, headers={"Idempotency-Key": key})
    assert good.status == 201
