"""The view tally: one increment per post per batch, and where a batch with a poison record resumes."""

from __future__ import annotations

import json

import pytest
from blog.views import logic
from blog.views.logic import Increment, Outcome, PoisonFirst, Record, padded, parse_view, tally


def view(slug: str, time: int = 1) -> bytes:
    return json.dumps({"slug": slug, "time": time}).encode()


def records(*datas: bytes, shard: str = "shardId-000000000000") -> list[Record]:
    return [Record(shard, str(100 + n), data) for n, data in enumerate(datas)]


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", b'"hello"', b"{}", view("Hello"), view("a--b"), view("a" * 201), b'{"slug": "a"}',
     b'{"slug": "a", "time": "now"}', b'{"slug": "a", "time": true}', b"\xff\xfe"],
)  # fmt: skip
def test_anything_but_a_view_is_poison(data):
    with pytest.raises(logic.PoisonRecord):
        parse_view(data)


def test_a_view_gives_its_slug_and_the_user_agent_is_optional():
    assert parse_view(b'{"slug":"hello-world","time":1764662400000,"ua":"Mozilla"}') == "hello-world"
    assert parse_view(view("a" * 200)) == "a" * 200


def test_one_increment_per_slug_covering_its_records():
    tallied = tally(records(view("a"), view("b"), view("a"), view("a")))
    assert tallied.poison is None
    assert tallied.increments == [
        Increment("a", 3, "shardId-000000000000", padded("100"), padded("103")),
        Increment("b", 1, "shardId-000000000000", padded("101"), padded("101")),
    ]


def test_records_before_a_later_poison_are_counted_and_the_batch_resumes_at_it():
    batch = records(view("a"), view("a"), b"junk", view("a"), view("b"))
    tallied = tally(batch)
    assert tallied.poison == batch[2]
    assert [(i.slug, i.count, i.last) for i in tallied.increments] == [("a", 2, padded("101"))]


def test_a_poison_first_among_others_fails_the_batch_so_that_it_is_bisected():
    with pytest.raises(PoisonFirst):
        tally(records(b"junk", view("a")))


def test_a_poison_alone_is_the_failed_item_and_nothing_is_counted():
    (poison,) = batch = records(b"junk")
    assert tally(batch) == logic.Tally([], poison, "not JSON")


def test_padded_sequence_numbers_compare_as_numbers():
    assert padded("99") < padded("100") < padded("4" * 56)


class FakeStore:
    def __init__(self, outcomes: dict[str, str]):
        self.outcomes = outcomes
        self.seen: list[Increment] = []

    def add_views(self, increment: Increment) -> str:
        self.seen.append(increment)
        return self.outcomes.get(increment.slug, Outcome.APPLIED)


def test_apply_reports_the_views_of_each_outcome():
    store = FakeStore({"gone": Outcome.UNKNOWN_POST, "again": Outcome.ALREADY_COUNTED})
    tallied = tally(records(view("a"), view("gone"), view("again"), view("a"), view("gone")))
    assert logic.apply(tallied, store) == {"applied": 2, "unknown": 2, "duplicate": 1}
    assert [i.slug for i in store.seen] == ["a", "gone", "again"]
