"""The use cases, over the moto-backed store and over a swapped-in store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from common.errors import BadRequest, NotFound, PreconditionFailed
from common.pagination import CursorCodec
from todos.dal.store import ItemMissing, Page, VersionMismatch
from todos.logic.service import TodoService, iso_millis


class FixedClock:
    def __init__(self):
        self.now = datetime(2025, 11, 23, 16, 0, 0, 123000, tzinfo=UTC)

    def __call__(self):
        return self.now


def test_create_stamps_times_from_the_clock(store, owner):
    clock = FixedClock()
    service = TodoService(store, CursorCodec("k"), clock=clock)
    item = service.create(owner, {"title": "t"})
    assert item["createdAt"] == item["updatedAt"] == "2025-11-23T16:00:00.123Z"
    clock.now = clock.now.replace(minute=5)
    updated = service.patch(owner, item["todoId"], {"done": True}, None)
    assert (updated["createdAt"], updated["updatedAt"]) == ("2025-11-23T16:00:00.123Z", "2025-11-23T16:05:00.123Z")


def test_later_todos_list_first_even_if_the_clock_steps_back(store, owner):
    clock = FixedClock()
    service = TodoService(store, CursorCodec("k"), clock=clock)
    first = service.create(owner, {"title": "a"})["todoId"]
    clock.now = clock.now.replace(year=2024)
    second = service.create(owner, {"title": "b"})["todoId"]
    assert second > first
    assert [i["todoId"] for i in service.list(owner)["items"]] == [second, first]


def test_ids_carry_their_creation_time_and_increase():
    import time

    from todos.ids import created_ms, is_todo_id, new_todo_id

    now = int(time.time() * 1000) + 50
    ids = [new_todo_id(now) for _ in range(50)]
    assert ids == sorted(ids) and len(set(ids)) == 50
    assert all(is_todo_id(i) for i in ids)
    assert created_ms(ids[0]) == now


def test_iso_millis_is_utc_z():
    assert iso_millis(datetime(2025, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2025-01-02T03:04:05.006Z"


def test_get_of_another_owner_is_not_found(service, owner):
    item = service.create(owner, {"title": "t"})
    with pytest.raises(NotFound):
        service.get("someone-else", item["todoId"])


def test_validation_errors_name_the_field(service, owner):
    with pytest.raises(BadRequest) as caught:
        service.create(owner, {"title": "t", "due": "2025-02-29"})
    assert "due" in caught.value.message
    with pytest.raises(BadRequest) as caught:
        service.patch(owner, "01ARZ3NDEKTSV4RRFFQ69G5FAV", {"colour": "red"}, None)
    assert "colour" in caught.value.message


def test_leap_day_is_a_date(service, owner):
    assert service.create(owner, {"title": "t", "due": "2028-02-29"})["due"] == "2028-02-29"


@pytest.mark.parametrize("limit", [0, 101, -5])
def test_list_limit_bounds(service, owner, limit):
    with pytest.raises(BadRequest):
        service.list(owner, limit=limit)


def test_cursor_with_a_forged_position_is_rejected(service, owner):
    """Even a correctly signed cursor must carry a todo id (defence in depth for a leaked key)."""
    scope = f"todos:list:{owner}:done=any"
    for position in ({"after": "../../etc"}, {"after": 5}, {}):
        with pytest.raises(BadRequest):
            service.list(owner, cursor=service.cursors.encode(position, scope))


def test_cursor_signed_with_another_key_is_rejected(store, owner):
    a = TodoService(store, CursorCodec("key-a"))
    b = TodoService(store, CursorCodec("key-b"))
    for n in range(3):
        a.create(owner, {"title": f"t{n}"})
    cursor = a.list(owner, limit=1)["nextCursor"]
    assert a.list(owner, limit=1, cursor=cursor)["items"]
    with pytest.raises(BadRequest):
        b.list(owner, limit=1, cursor=cursor)


class RecordingStore:
    """A swapped-in store: shows the logic alone decides what reaches storage."""

    def __init__(self, fail_with: Exception | None = None):
        self.calls: list[tuple] = []
        self.fail_with = fail_with

    def insert(self, owner, item):
        self.calls.append(("insert", owner, item["todoId"]))

    def get(self, owner, todo_id):
        self.calls.append(("get", owner, todo_id))
        return None

    def query(self, owner, *, limit, after, done):
        self.calls.append(("query", owner, limit, after, done))
        return Page(items=[], has_more=False)

    def update(self, owner, todo_id, *, set_fields, clear_fields, updated_at, expected_version):
        self.calls.append(("update", owner, todo_id, set_fields, clear_fields, expected_version))
        if self.fail_with:
            raise self.fail_with
        return {}

    def delete(self, owner, todo_id, *, expected_version):
        self.calls.append(("delete", owner, todo_id, expected_version))
        if self.fail_with:
            raise self.fail_with


TODO = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def test_put_sends_every_field_and_clears_absent_ones():
    store = RecordingStore()
    TodoService(store, CursorCodec("k")).replace("o", TODO, {"title": "t"}, 4)
    assert store.calls == [("update", "o", TODO, {"title": "t", "done": False}, ("notes", "due"), 4)]


def test_patch_sends_only_given_fields():
    store = RecordingStore()
    TodoService(store, CursorCodec("k")).patch("o", TODO, {"notes": None, "done": True}, None)
    assert store.calls == [("update", "o", TODO, {"done": True}, ("notes",), None)]


@pytest.mark.parametrize("bad", ["x", TODO + "\n", TODO.lower(), "\uff10" + TODO[1:], TODO[:-1] + "\u0665"])
def test_malformed_ids_never_reach_the_store(bad):
    store = RecordingStore()
    service = TodoService(store, CursorCodec("k"))
    for call in (
        lambda: service.get("o", bad),
        lambda: service.patch("o", bad, {"done": True}, None),
        lambda: service.replace("o", bad, {"title": "t"}, None),
        lambda: service.delete("o", bad, None),
    ):
        with pytest.raises(NotFound):
            call()
    assert store.calls == []


@pytest.mark.parametrize(
    ("failure", "error"), [(ItemMissing(TODO), NotFound), (VersionMismatch(3), PreconditionFailed)]
)
def test_store_failures_become_api_errors(failure, error):
    service = TodoService(RecordingStore(fail_with=failure), CursorCodec("k"))
    with pytest.raises(error):
        service.patch("o", TODO, {"done": True}, 2)
    with pytest.raises(error):
        service.delete("o", TODO, 2)


def test_list_passes_filter_and_decoded_cursor():
    store = RecordingStore()
    service = TodoService(store, CursorCodec("k"))
    cursor = service.cursors.encode({"after": TODO}, "todos:list:o:done=true")
    assert service.list("o", limit=5, cursor=cursor, done=True) == {"items": [], "nextCursor": None}
    assert store.calls == [("query", "o", 5, TODO, True)]


def test_lone_surrogates_never_reach_the_store():
    """A body that did not come through parse_json_body is still refused at validation."""
    store = RecordingStore()
    service = TodoService(store, CursorCodec("k"))
    for call in (
        lambda: service.create("o", {"title": "\ud800"}),
        lambda: service.replace("o", TODO, {"title": "t", "notes": "\udfff"}, None),
        lambda: service.patch("o", TODO, {"title": "a\ud800b"}, None),
    ):
        with pytest.raises(BadRequest) as caught:
            call()
        assert caught.value.code == "ValidationError"
    assert store.calls == []
