"""The snapshot file: atomic replacement, blobs written once and collected, and values that round-trip."""

from __future__ import annotations

import datetime

import pytest

from localcloud.state.codec import decode, decode_object, encode, encode_object
from localcloud.state.store import SnapshotError, SnapshotFile


def test_a_save_that_fails_midway_leaves_the_previous_snapshot_whole(tmp_path):
    snapshot = SnapshotFile(tmp_path)
    snapshot.write([("sqs", {"queue": "q", "messages": ["a"]})])

    def broken():
        yield "sqs", {"queue": "q", "messages": ["a", "b"]}
        raise OSError("disk full")

    with pytest.raises(OSError):
        snapshot.write(broken())
    assert snapshot.read() == {"sqs": [{"queue": "q", "messages": ["a"]}]}


def test_records_come_back_in_order_by_section(tmp_path):
    snapshot = SnapshotFile(tmp_path)
    records = [("a", {"n": 1}), ("b", {"n": 2}), ("a", {"n": 3})]
    assert snapshot.write(records) == 3
    assert snapshot.read() == {"a": [{"n": 1}, {"n": 3}], "b": [{"n": 2}]}


def test_blobs_are_stored_once_and_collected_when_no_longer_named(tmp_path):
    snapshot = SnapshotFile(tmp_path)
    first = snapshot.put_blob(b"photo")
    assert snapshot.put_blob(b"photo") == first
    second = snapshot.put_blob(b"other")
    assert snapshot.collect_blobs({second}) == 1
    assert snapshot.blob(second) == b"other"
    with pytest.raises(SnapshotError, match="missing"):
        snapshot.blob(first)


def test_a_file_that_is_not_a_snapshot_is_an_error_that_says_so(tmp_path):
    (tmp_path / "state.db").write_text("garbage")
    with pytest.raises(SnapshotError, match="cannot be read"):
        SnapshotFile(tmp_path).read()


def test_values_moto_keeps_round_trip():
    value = {
        "bytes": b"\x00\xff",
        "when": datetime.datetime(2026, 12, 1, 12, 30, tzinfo=datetime.UTC),
        "day": datetime.date(2026, 12, 1),
        "set": {"a", "b"},
        "tuple": ("client", "user"),
        "int_keys": {1: "one"},
        "looks_tagged": {"$b64": "not really"},
        "nested": [{"S": "x"}, None, 1.5, True],
    }
    assert decode(encode(value)) == value


class Saved:
    def __init__(self):
        self.name = "n"
        self.tags = {"a"}


def test_objects_are_rebuilt_only_from_allowed_classes():
    record = encode_object(Saved())
    rebuilt = decode_object(record, [Saved])
    assert vars(rebuilt) == {"name": "n", "tags": {"a"}}
    with pytest.raises(ValueError, match="not one this section restores"):
        decode_object(record, [dict])


def test_saving_never_takes_more_than_its_share_of_the_time():
    from localcloud.state.persistence import SAVE_SHARE, next_wait

    assert next_wait(1.0, 0.004) == 1.0  # a small state: within a second of a change
    assert next_wait(1.0, 0.2) == 0.2 / SAVE_SHARE  # a large one under steady writes: less often
