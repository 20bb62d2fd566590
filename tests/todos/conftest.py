"""Fixtures for the todos tests: a moto table made from the template, the store, the service, the API."""

from __future__ import annotations

import os
import threading
import uuid

import pytest

from tests.support.fake_aws_env import FAKE_AWS_ENV

# Settings are read at import (cold start) and tests must never reach AWS.
os.environ.update(FAKE_AWS_ENV)
os.environ.setdefault("TABLE_NAME", "todos-test")
os.environ.setdefault("CURSOR_KEY", "todos-test-cursor-key")
os.environ.setdefault("DAX_ENDPOINT", "")
os.environ.setdefault("IDEMPOTENCY_TABLE", "todos-idempotency-test")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "todos")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "platform")

import boto3
from common.pagination import CursorCodec
from moto import mock_aws

from tests.support.openapi import ContractChecked
from tests.templates.cfn import load_template
from tests.todos.client import InProcessApi
from tests.todos.contract import TODOS

TABLE_NAME = os.environ["TABLE_NAME"]
IDEMPOTENCY_TABLE = os.environ["IDEMPOTENCY_TABLE"]
CURSOR_KEY = os.environ["CURSOR_KEY"]


def table_definition(resource: str = "TodosTable", name: str = TABLE_NAME) -> dict:
    """CreateTable arguments taken from the template's table resource, not restated here."""
    props = load_template("services/todos/template.yaml")["Resources"][resource]["Properties"]
    return {
        "TableName": name,
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


@pytest.fixture(scope="module")
def aws():
    """moto for one test module: creating clients and tables is the slow part, so it is shared and
    tests are isolated by identity instead (each test gets its own owners/users)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        serialize_dynamodb_writes(patch)
        with mock_aws():
            yield


@pytest.fixture(scope="module")
def table(aws):
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(**table_definition())
    client.create_table(**table_definition("IdempotencyTable", IDEMPOTENCY_TABLE))
    return boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE_NAME)


@pytest.fixture
def owner() -> str:
    """A user-pool `sub` no other test uses."""
    return str(uuid.uuid4())


@pytest.fixture(scope="module")
def tables(table):
    from common.tables import TableProvider

    return TableProvider(TABLE_NAME)


@pytest.fixture(scope="module")
def store(tables):
    from todos.dal.dynamo import DynamoTodoStore

    return DynamoTodoStore(tables)


@pytest.fixture
def service(store):
    from todos.logic.service import TodoService

    return TodoService(store, CursorCodec(CURSOR_KEY))


@pytest.fixture(scope="module")
def handlers(table):
    """The Lambda handlers, their service built from the settings as in Lambda (once per module)."""
    from todos import wiring
    from todos.handlers import read, write

    wiring.use(None)
    yield read.handler, write.handler
    wiring.use(None)


@pytest.fixture(params=["in-process", "localcloud"])
def api(request):
    """The API, every response checked against openapi.yaml, two ways: the handlers called in process,
    and real HTTP through localcloud's gateway with real Cognito tokens (the same tests run on both).

    Users are fresh identities per test (a namespace per test), so tests share one table.
    """
    namespace = str(uuid.uuid4())
    if request.param == "in-process":
        read_handler, write_handler = request.getfixturevalue("handlers")
        return ContractChecked(InProcessApi(read_handler, write_handler, namespace=namespace), TODOS)
    from tests.todos.http_client import HttpApi

    return ContractChecked(HttpApi(request.getfixturevalue("localcloud_session"), namespace=namespace), TODOS)
