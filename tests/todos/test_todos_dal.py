"""DynamoTodoStore against moto: keys, conditional writes, queries (never scans), and the DAX path."""

from __future__ import annotations

import boto3
import pytest
from common.tables import TableProvider
from todos.dal.dynamo import DynamoTodoStore
from todos.dal.store import ItemMissing, VersionMismatch
from todos.ids import new_todo_id

from tests.todos.conftest import TABLE_NAME


def make_item(title="t", **overrides):
    item = {
        "todoId": new_todo_id(),
        "title": title,
        "notes": None,
        "due": None,
        "done": False,
        "createdAt": "2025-11-23T16:00:00.000Z",
        "updatedAt": "2025-11-23T16:00:00.000Z",
        "version": 1,
    }
    item.update(overrides)
    return item


def test_items_are_keyed_by_owner_and_todo_id(store, table, owner):
    item = make_item(notes="n")
    store.insert(owner, item)
    raw = table.get_item(Key={"pk": owner, "sk": item["todoId"]})["Item"]
    assert raw["title"] == "t" and raw["notes"] == "n" and "due" not in raw
    assert store.get(owner, item["todoId"]) == item
    assert store.get("other-owner", item["todoId"]) is None


def test_insert_never_overwrites(store, owner):
    item = make_item()
    store.insert(owner, item)
    with pytest.raises(Exception, match="ConditionalCheckFailed"):
        store.insert(owner, {**item, "title": "again"})
    assert store.get(owner, item["todoId"])["title"] == "t"


def test_update_bumps_version_sets_and_removes(store, owner):
    item = make_item(notes="n", due="2025-01-01")
    store.insert(owner, item)
    updated = store.update(
        owner,
        item["todoId"],
        set_fields={"done": True, "title": "new"},
        clear_fields=("notes",),
        updated_at="2025-11-24T00:00:00.000Z",
        expected_version=1,
    )
    assert updated == {
        **item,
        "title": "new",
        "done": True,
        "notes": None,
        "updatedAt": "2025-11-24T00:00:00.000Z",
        "version": 2,
    }
    assert isinstance(updated["version"], int)


def test_update_refuses_key_fields(store, owner):
    item = make_item()
    store.insert(owner, item)
    for field in ("pk", "sk", "version", "createdAt"):
        with pytest.raises(ValueError):
            store.update(
                owner, item["todoId"], set_fields={field: "x"}, clear_fields=(), updated_at="u", expected_version=None
            )


def _update(store, owner, todo_id, expected):
    return store.update(
        owner, todo_id, set_fields={"title": "x"}, clear_fields=(), updated_at="u", expected_version=expected
    )


def test_missing_and_stale_are_told_apart(store, owner):
    item = make_item()
    store.insert(owner, item)
    _update(store, owner, item["todoId"], None)
    with pytest.raises(VersionMismatch) as caught:
        _update(store, owner, item["todoId"], 1)
    assert caught.value.current_version == 2
    with pytest.raises(ItemMissing):
        _update(store, owner, new_todo_id(), None)
    with pytest.raises(ItemMissing):
        _update(store, owner, new_todo_id(), 1)
    with pytest.raises(ItemMissing):
        _update(store, "other-owner", item["todoId"], 2)
    with pytest.raises(VersionMismatch):
        store.delete(owner, item["todoId"], expected_version=1)
    store.delete(owner, item["todoId"], expected_version=2)
    with pytest.raises(ItemMissing):
        store.delete(owner, item["todoId"], expected_version=None)


class InterleavingTable:
    """Runs a competing write just before each of the store's writes reaches the table: the worst
    interleaving two concurrent requests can have, made deterministic."""

    def __init__(self, table, before_write):
        self._table = table
        self._before_write = before_write

    def __getattr__(self, name):
        return getattr(self._table, name)

    def update_item(self, **kwargs):
        self._before_write()
        return self._table.update_item(**kwargs)

    def delete_item(self, **kwargs):
        self._before_write()
        return self._table.delete_item(**kwargs)


class FixedTables:
    def __init__(self, table):
        self.table = table


def test_a_write_that_loses_the_race_is_rejected(table, store, owner):
    """Both requests read version 1; the competitor commits first; ours must then fail, not overwrite."""
    item = make_item()
    store.insert(owner, item)
    seen = store.get(owner, item["todoId"])["version"]

    def competitor():
        _update(store, owner, item["todoId"], seen)

    racing = DynamoTodoStore(FixedTables(InterleavingTable(table, competitor)))
    with pytest.raises(VersionMismatch):
        racing.update(
            owner, item["todoId"], set_fields={"title": "mine"}, clear_fields=(), updated_at="u", expected_version=seen
        )
    assert store.get(owner, item["todoId"]) == {**item, "title": "x", "updatedAt": "u", "version": 2}


def test_a_delete_that_loses_the_race_is_rejected(table, store, owner):
    item = make_item()
    store.insert(owner, item)
    racing = DynamoTodoStore(FixedTables(InterleavingTable(table, lambda: _update(store, owner, item["todoId"], 1))))
    with pytest.raises(VersionMismatch):
        racing.delete(owner, item["todoId"], expected_version=1)
    assert store.get(owner, item["todoId"])["version"] == 2


class CallRecorder:
    def __init__(self, table):
        self._table = table
        self.calls: list[tuple[str, dict]] = []

    def __getattr__(self, name):
        target = getattr(self._table, name)
        if not callable(target):
            return target

        def record(**kwargs):
            self.calls.append((name, kwargs))
            return target(**kwargs)

        return record


def test_filtered_listing_queries_newest_first_and_never_scans(table, store, owner):
    items = [make_item(f"t{n}", done=n % 5 == 0) for n in range(40)]
    for item in items:
        store.insert(owner, item)
    recorder = CallRecorder(table)
    page = DynamoTodoStore(FixedTables(recorder)).query(owner, limit=3, after=None, done=True)
    expected = [i["todoId"] for i in reversed(items) if i["done"]]
    assert [i["todoId"] for i in page.items] == expected[:3]
    assert page.has_more
    assert {name for name, _ in recorder.calls} == {"query"}
    assert all(kwargs["ScanIndexForward"] is False for _, kwargs in recorder.calls)


def test_filtered_listing_keeps_querying_past_sparse_matches(table, store, owner, monkeypatch):
    monkeypatch.setattr("todos.dal.dynamo.FILTERED_QUERY_BATCH", 4)
    items = [make_item(f"t{n}", done=n in (0, 1, 2)) for n in range(30)]
    for item in items:
        store.insert(owner, item)
    recorder = CallRecorder(table)
    page = DynamoTodoStore(FixedTables(recorder)).query(owner, limit=2, after=None, done=True)
    assert [i["todoId"] for i in page.items] == [items[2]["todoId"], items[1]["todoId"]]
    assert page.has_more
    assert len(recorder.calls) > 1
    last = DynamoTodoStore(FixedTables(recorder)).query(owner, limit=2, after=items[1]["todoId"], done=True)
    assert ([i["todoId"] for i in last.items], last.has_more) == ([items[0]["todoId"]], False)


def test_table_is_created_lazily_once(table):
    made = []

    def factory():
        made.append(1)
        return boto3.resource("dynamodb", region_name="us-east-1")

    provider = TableProvider(TABLE_NAME, resource_factory=factory)
    assert made == []
    assert provider.table is provider.table
    assert made == [1]
    assert not provider.uses_dax


class FakeDax:
    """Stands in for amazondax: records the endpoint, serves the same resource API from moto."""

    def __init__(self):
        self.endpoints: list[str] = []
        self.tables: list[str] = []

    def __call__(self, endpoint_url: str):
        self.endpoints.append(endpoint_url)
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        fake = self

        class Resource:
            def Table(self, name):
                fake.tables.append(name)
                return resource.Table(name)

        return Resource()


def test_dax_endpoint_uses_the_dax_client_with_the_same_behaviour(table, owner):
    dax = FakeDax()

    def no_dynamodb():
        raise AssertionError("DynamoDB must not be used directly when DAX is configured")

    endpoint = "daxs://todos.abc123.dax-clusters.us-east-1.amazonaws.com"
    provider = TableProvider(TABLE_NAME, endpoint, resource_factory=no_dynamodb, dax_factory=dax)
    store = DynamoTodoStore(provider)
    item = make_item()
    store.insert(owner, item)
    assert store.get(owner, item["todoId"]) == item
    assert _update(store, owner, item["todoId"], 1)["version"] == 2
    with pytest.raises(VersionMismatch):
        _update(store, owner, item["todoId"], 1)
    assert [i["todoId"] for i in store.query(owner, limit=5, after=None, done=None).items] == [item["todoId"]]
    store.delete(owner, item["todoId"], expected_version=2)
    assert store.get(owner, item["todoId"]) is None
    assert provider.uses_dax
    assert dax.endpoints == [endpoint]
    assert dax.tables == [TABLE_NAME]


def test_default_dax_factory_calls_amazon_dax_client(monkeypatch):
    # amazon-dax-client lives in the DAX layer only (layers/dax), not in the dev venv: stand in a module of
    # its shape, so the test proves the factory's call, not the package's presence.
    import sys
    import types

    from common import tables

    calls = []
    client = type("AmazonDaxClient", (), {"resource": staticmethod(lambda **kw: calls.append(kw) or "dax")})
    monkeypatch.setitem(sys.modules, "amazondax", types.SimpleNamespace(AmazonDaxClient=client))
    assert tables.dax_resource("daxs://cluster:9111") == "dax"
    assert calls == [{"endpoint_url": "daxs://cluster:9111"}]


def test_wiring_builds_a_dax_store_from_settings(table, owner):
    from todos.config import load_settings
    from todos.wiring import build

    dax = FakeDax()
    settings = load_settings({"TABLE_NAME": TABLE_NAME, "CURSOR_KEY": "k", "DAX_ENDPOINT": "dax://local:8111"})
    service = build(settings, dax_factory=dax)
    created = service.create(owner, {"title": "via dax"})
    assert service.get(owner, created["todoId"]) == created
    assert dax.endpoints == ["dax://local:8111"]


def test_settings_report_every_missing_variable():
    from common.settings import ConfigError
    from todos.config import load_settings

    with pytest.raises(ConfigError) as caught:
        load_settings({})
    assert "TABLE_NAME" in str(caught.value) and "CURSOR_KEY" in str(caught.value)
    settings = load_settings({"TABLE_NAME": "t", "CURSOR_KEY": "k", "DAX_ENDPOINT": ""})
    assert settings.dax_endpoint is None
