"""The edge cache store and request collapsing: bodies followed while they are written, small bodies in
memory and large ones on disk, invalidation, eviction, and one leader per key."""

from __future__ import annotations

import threading

import pytest

from localcloud.edge.collapse import FAILED, STREAMING, TIMEOUT, UNCACHEABLE, Collapser
from localcloud.edge.store import MEMORY_BODY_MAX, SLICE, CacheStore, FillFailed
from localcloud.model import FileSlice


@pytest.fixture
def store(tmp_path):
    return CacheStore(tmp_path, clock=lambda: 1000.0)


def fill_with(store, key, body: bytes, path="/x", ttl=60.0):
    fill = store.begin(key, path, 200, [("Content-Type", "text/plain")], ttl)
    writer = store.writer(fill)
    for i in range(0, len(body), 7000):
        writer.write(body[i : i + 7000])
    return writer.commit()


def test_a_reader_follows_a_fill_while_it_grows_and_gets_every_byte(store):
    fill = store.begin("k", "/big", 200, [], 60)
    joined = store.join("k")
    assert joined is not None
    got = []
    reader = threading.Thread(target=lambda: got.extend(joined[0].follow(joined[1])))
    reader.start()
    writer = store.writer(fill)
    body = bytes(range(256)) * 4000
    for i in range(0, len(body), 1000):
        writer.write(body[i : i + 1000])
    entry = writer.commit()
    reader.join(10)
    assert b"".join(got) == body and entry.size == len(body)


def test_a_range_can_be_followed_before_it_is_written(store):
    fill = store.begin("k", "/r", 200, [], 60)
    fill_handle = store.join("k")
    got = []
    reader = threading.Thread(target=lambda: got.extend(fill_handle[0].follow(fill_handle[1], 5, 9)))
    reader.start()
    writer = store.writer(fill)
    writer.write(b"0123")
    writer.write(b"456789abcdef")
    writer.commit()
    reader.join(10)
    assert b"".join(got) == b"56789"


def test_small_bodies_live_in_memory_and_large_ones_on_disk(store, tmp_path):
    small = fill_with(store, "s", b"hello")
    large = fill_with(store, "l", b"x" * (MEMORY_BODY_MAX + 1))
    assert small.body == b"hello" and small.file is None
    assert large.body is None and large.file.exists() and large.file.parent == tmp_path
    assert b"".join(large.read(10, 19)) == b"x" * 10
    assert [p.name for p in tmp_path.iterdir()] == [large.file.name]  # no fill files left behind


def test_a_body_on_disk_is_read_as_file_slices_that_outlive_eviction(store):
    data = bytes(range(256)) * (SLICE // 256 + 100)  # a little over one slice
    entry = fill_with(store, "big", data)
    slices = list(entry.read(3))
    assert all(isinstance(s, FileSlice) for s in slices) and [len(s) for s in slices] == [SLICE, len(data) - 3 - SLICE]
    store.invalidate(lambda path: True)  # the entry's file is unlinked; the slices keep its bytes readable
    assert not entry.file.exists()
    assert b"".join(slices) == data[3:]


def test_a_broken_fill_is_not_stored_and_its_readers_hear_so(store):
    fill = store.begin("k", "/b", 200, [], 60)
    joined = store.join("k")
    writer = store.writer(fill)
    writer.write(b"part")
    writer.abort()
    with pytest.raises(FillFailed):
        b"".join(joined[0].follow(joined[1]))
    assert store.get("k") is None and store.join("k") is None


def test_invalidation_removes_entries_and_keeps_a_fill_under_way_from_being_stored(store):
    fill_with(store, "a", b"a", path="/docs/a")
    fill_with(store, "b", b"b", path="/img/b")
    under_way = store.begin("c", "/docs/c", 200, [], 60)
    assert store.invalidate(lambda path: path.startswith("/docs/")) == 1
    assert store.get("a") is None and store.get("b") is not None
    assert store.writer(under_way).commit() is None and store.get("c") is None


def test_least_recently_used_entries_go_first_past_the_size_limit(tmp_path):
    store = CacheStore(tmp_path, max_bytes=10)
    fill_with(store, "old", b"12345")
    fill_with(store, "new", b"12345")
    store.get("old")  # touched: now the most recent
    fill_with(store, "newest", b"12345")
    assert store.get("new") is None and store.get("old") is not None and store.get("newest") is not None


def test_two_hundred_concurrent_misses_have_one_leader():
    collapser = Collapser()
    leaders, outcomes = [], []
    lock = threading.Lock()
    start = threading.Barrier(200)

    def miss():
        start.wait()
        lead, flight = collapser.enter("k")
        if lead:
            with lock:
                leaders.append(flight)
            return
        outcome = collapser.wait(flight)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=miss) for _ in range(200)]
    for t in threads:
        t.start()
    while True:
        with lock:
            if leaders and collapser._flights["k"].followers == 199:
                break
    collapser.streaming(leaders[0], fill="the fill")
    for t in threads:
        t.join(10)
    assert len(leaders) == 1 and outcomes == [STREAMING] * 199 and collapser.collapsed == 199


@pytest.mark.parametrize("settle", ["uncacheable", "failed"])
def test_followers_are_released_when_the_leader_cannot_fill(settle):
    collapser = Collapser()
    _, flight = collapser.enter("k")
    lead, follower_flight = collapser.enter("k")
    assert not lead
    getattr(collapser, settle)(flight)
    assert collapser.wait(follower_flight) == {"uncacheable": UNCACHEABLE, "failed": FAILED}[settle]
    assert collapser.enter("k")[0]  # the key is free: the next miss leads


def test_a_follower_stops_waiting_after_the_lock_timeout():
    clock = iter([0.0, 6.0, 6.0])
    collapser = Collapser(lock_timeout=5.0, monotonic=lambda: next(clock))
    collapser.enter("k")
    _, flight = collapser.enter("k")
    assert collapser.wait(flight) == TIMEOUT
