"""Todo ids against the ULID spec (github.com/ulid/spec): 48-bit millisecond time then 80 random bits, 26
Crockford base32 characters, monotonic within a millisecond, and a failure rather than a carry when the
random part is used up. The decoder here is written from the spec, independently of the codec."""

from __future__ import annotations

import re

import pytest
from common import ulids
from todos.ids import created_ms, is_todo_id, new_todo_id

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
SPEC_TIME = 1469918176385  # the spec's "seed time" example: ulid(1469918176385) starts 01ARYZ6S41


def decode(ulid: str) -> int:
    value = 0
    for char in ulid:
        value = value * 32 + CROCKFORD.index(char)
    assert value < 1 << 128, "a ULID's first character is 0..7"
    return value


@pytest.fixture(autouse=True)
def fresh_sequence(monkeypatch):
    """Each test starts as a new process would; the module's real sequence is put back afterwards."""
    monkeypatch.setattr(ulids, "_last", -1)


def test_the_spec_example_time_encodes_as_the_spec_says():
    todo_id = new_todo_id(SPEC_TIME)
    assert todo_id[:10] == "01ARYZ6S41"
    assert len(todo_id) == 26 and set(todo_id) <= set(CROCKFORD)
    assert decode(todo_id) >> 80 == SPEC_TIME == created_ms(todo_id)


def test_the_random_part_is_80_bits_from_os_urandom(monkeypatch):
    asked = []

    def urandom(n: int) -> bytes:
        asked.append(n)
        return bytes(range(1, n + 1))

    monkeypatch.setattr(ulids.os, "urandom", urandom)
    todo_id = new_todo_id(SPEC_TIME)
    assert asked == [10]
    assert decode(todo_id) == SPEC_TIME << 80 | int.from_bytes(bytes(range(1, 11)), "big")


def test_ids_differ_in_their_random_part_across_processes(monkeypatch):
    seen = set()
    for _ in range(200):
        monkeypatch.setattr(ulids, "_last", -1)
        seen.add(decode(new_todo_id(SPEC_TIME)) & ((1 << 80) - 1))
    assert len(seen) == 200


def test_within_one_millisecond_each_id_is_the_previous_plus_one():
    first = new_todo_id(SPEC_TIME)
    following = [new_todo_id(SPEC_TIME) for _ in range(5)]
    values = [decode(i) for i in [first, *following]]
    assert values == list(range(values[0], values[0] + 6))
    assert all(created_ms(i) == SPEC_TIME for i in following)


def test_ids_keep_increasing_when_the_clock_steps_back():
    later = new_todo_id(SPEC_TIME + 10)
    assert decode(new_todo_id(SPEC_TIME)) == decode(later) + 1


def test_text_order_is_time_order():
    ids = [new_todo_id(SPEC_TIME + step) for step in (0, 1, 31, 32, 1023, 1024, 10**9)]
    assert ids == sorted(ids)
    assert [created_ms(i) for i in ids] == [SPEC_TIME + s for s in (0, 1, 31, 32, 1023, 1024, 10**9)]


def test_a_used_up_random_part_fails_instead_of_carrying_into_the_time(monkeypatch):
    monkeypatch.setattr(ulids, "_last", SPEC_TIME << 80 | ((1 << 80) - 1))
    with pytest.raises(OverflowError):
        new_todo_id(SPEC_TIME)


def test_the_time_range_is_the_specs_48_bits():
    assert new_todo_id(0).startswith("0000000000")
    assert new_todo_id(ulids.MAX_MS).startswith("7ZZZZZZZZZ")
    with pytest.raises(ValueError):
        new_todo_id(ulids.MAX_MS + 1)
    with pytest.raises(ValueError):
        new_todo_id(-1)


def test_ids_match_the_published_pattern_and_bad_ones_are_refused():
    assert is_todo_id(new_todo_id())
    for bad in (
        "01ARYZ6S41TSV4RRFFQ69G5FA",
        "01ARYZ6S41TSV4RRFFQ69G5FAVV",
        "81ARYZ6S41TSV4RRFFQ69G5FAV",
        "01ARYZ6S41TSV4RRFFQ69G5FAI",
    ):
        assert not is_todo_id(bad)
        with pytest.raises(ValueError):
            created_ms(bad)


def test_event_envelope_ids_are_ulids_too():
    from common.envelope import make_envelope

    envelope_id = make_envelope("T", {}, source="s")["id"]
    assert re.fullmatch("[0-7][0-9A-HJKMNP-TV-Z]{25}", envelope_id)
