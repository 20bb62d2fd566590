"""Fixtures for the todos tests: a moto table made from the template, the store, the service, the API."""

from __future__ import annotations

import os
import threading

import pytest

# Settings are read at import (cold start) and tests must never reach AWS.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
os.environ.setdefault("TABLE_NAME", "todos-test")
os.environ.setdefault("CURSOR_KEY", "todos-test-cursor-key")
os.environ.setdefault("DAX_ENDPOINT", "")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "todos")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "platform")

import boto3  # noqa: E402
from common.pagination import CursorCodec  # noqa: E402
from moto import mock_aws  # noqa: E402

from tests.templates.cfn import load_template  # noqa: E402
from tests.todos.client import InProcessApi  # noqa: E402

TABLE_NAME = os.environ["TABLE_NAME"]
CURSOR_KEY = os.environ["CURSOR_KEY"]


def table_definition() -> dict:
    """CreateTable arguments taken from the TodosTable resource of the template, not restated here."""
    props = load_template("services/todos/template.yaml")["Resources"]["TodosTable"]["Properties"]
    return {
        "TableName": TABLE_NAME,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props["BillingMode"],
    }


_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def serialize_dynamodb_writes(monkeypatch) -> None:
    """DynamoDB applies each write atomically: its condition and its change happen as one step. moto
    checks the condition and then applies the change in plain Python, so two threads can both pass the
    same condition. One lock around moto's write methods restores DynamoDB's guarantee for the tests.
    """
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in _DYNAMODB_WRITES:
        original = getattr(DynamoDBBackend, name)

        def atomic(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)


@pytest.fixture
def aws(monkeypatch):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    serialize_dynamodb_writes(monkeypatch)
    with mock_aws():
        yield


@pytest.fixture
def table(aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(**table_definition())
    return boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE_NAME)


@pytest.fixture
def tables(table):
    from todos.dal.tables import TableProvider

    return TableProvider(TABLE_NAME)


@pytest.fixture
def store(tables):
    from todos.dal.dynamo import DynamoTodoStore

    return DynamoTodoStore(tables)


@pytest.fixture
def service(store):
    from todos.logic.service import TodoService

    return TodoService(store, CursorCodec(CURSOR_KEY))


@pytest.fixture
def api(table):
    """The API in process, over a fresh moto table; the service is built from the settings as in Lambda."""
    from todos import wiring
    from todos.handlers import read, write

    wiring.use(None)
    yield InProcessApi(read.handler, write.handler)
    wiring.use(None)
