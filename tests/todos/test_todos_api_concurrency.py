"""Optimistic concurrency: writes conditioned on the same version, exactly one wins."""

from __future__ import annotations

import threading

import pytest

from tests.todos.client import create_todo


def test_second_write_with_the_same_if_match_is_412(api):
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    first = api.request("alice", "PATCH", path, json={"title": "from phone"}, headers={"If-Match": '"1"'})
    second = api.request("alice", "PUT", path, json={"title": "from tablet"}, headers={"If-Match": '"1"'})
    assert (first.status, second.status) == (200, 412)
    final = api.request("alice", "GET", path).json()
    assert (final["title"], final["version"]) == ("from phone", 2)


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
def test_racing_writes_with_the_same_if_match_exactly_one_wins(api, method):
    writers = 6
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    barrier = threading.Barrier(writers)
    statuses: list[int] = []
    titles = [f"writer {n}" for n in range(writers)]

    def write(n: int) -> None:
        kwargs = {} if method == "DELETE" else {"json": {"title": titles[n]}}
        barrier.wait()
        response = api.request("alice", method, path, headers={"If-Match": '"1"'}, **kwargs)
        statuses.append(response.status)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winner = 204 if method == "DELETE" else 200
    assert sorted(statuses).count(winner) == 1, statuses
    # Losers see the new version (412) or, after a delete, no todo at all (404).
    assert set(statuses) - {winner} <= ({404, 412} if method == "DELETE" else {412})
    final = api.request("alice", "GET", path)
    if method == "DELETE":
        assert final.status == 404
    else:
        assert final.json()["version"] == 2
        assert final.json()["title"] in titles


def test_unconditional_writes_all_apply_and_count_versions(api):
    item = create_todo(api, "alice", "v1")
    path = f"/todos/{item['todoId']}"
    threads = [
        threading.Thread(target=api.request, args=("alice", "PATCH", path), kwargs={"json": {"notes": str(n)}})
        for n in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert api.request("alice", "GET", path).json()["version"] == 6
