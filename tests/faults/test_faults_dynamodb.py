"""DynamoDB throttling on the todos table, through the real API: a short throttle is absorbed by the SDK's
retries and the todo is stored; a throttle that outlasts them is a 503 with Retry-After and a JSON
message (never a 500), nothing is written, and the client's retry then succeeds."""

from __future__ import annotations

import uuid

import boto3

from tests.todos.http_client import HttpApi

SDK_ATTEMPTS = 3  # common.tables: botocore's standard retry mode


def todos_table(localcloud) -> str:
    return localcloud.endpoints["outputs"]["Todos"]["TableName"]


def stored_titles(localcloud, title_prefix: str) -> list[str]:
    items = localcloud.aws("dynamodb").scan(TableName=todos_table(localcloud))["Items"]
    return [i["title"]["S"] for i in items if i["title"]["S"].startswith(title_prefix)]


def test_a_throttle_shorter_than_the_sdk_retries_is_absorbed_and_the_todo_is_stored(localcloud, faults):
    api = HttpApi(localcloud, namespace=str(uuid.uuid4()))
    rule = faults.error("dynamodb", action="PutItem", resource=todos_table(localcloud), count=SDK_ATTEMPTS - 1)

    created = api.request("ann", "POST", "/todos", json={"title": "survives throttling"})

    assert created.status == 201, created.body
    assert faults.hits(rule) == SDK_ATTEMPTS - 1, "the function's SDK was throttled, then retried"
    todo_id = created.json()["todoId"]
    assert api.request("ann", "GET", f"/todos/{todo_id}").json()["title"] == "survives throttling"
    assert stored_titles(localcloud, "survives throttling") == ["survives throttling"]


def test_a_persisting_throttle_is_a_503_with_retry_after_and_no_half_done_write(localcloud, faults):
    api = HttpApi(localcloud, namespace=str(uuid.uuid4()))
    rule = faults.error("dynamodb", action="PutItem", resource=todos_table(localcloud))

    refused = api.request("bob", "POST", "/todos", json={"title": "throttled away"})

    assert refused.status == 503, refused.body
    assert refused.headers["Retry-After"] == "1"
    assert refused.headers["Content-Type"].startswith("application/json")
    assert refused.json() == {"message": "the service is busy; retry shortly", "code": "ServiceUnavailable"}
    assert faults.hits(rule) == SDK_ATTEMPTS, "every attempt the SDK made was refused"
    assert stored_titles(localcloud, "throttled away") == []
    assert api.request("bob", "GET", "/todos").json()["items"] == []

    faults.clear()
    retried = api.request("bob", "POST", "/todos", json={"title": "throttled away"})
    assert retried.status == 201, retried.body
    assert stored_titles(localcloud, "throttled away") == ["throttled away"]


def test_the_injected_throttle_is_the_error_dynamodb_sends(localcloud, faults):
    """A client sees DynamoDB's own error (code, status, message), and botocore retries it as a throttle."""
    table = todos_table(localcloud)
    key = {"pk": {"S": "a"}, "sk": {"S": "b"}}

    def client(attempts: int):
        return boto3.client(
            "dynamodb",
            endpoint_url=localcloud.endpoints["aws"],
            region_name="us-east-1",
            config=boto3.session.Config(retries={"mode": "standard", "total_max_attempts": attempts}),
        )

    faults.error("dynamodb", action="GetItem", resource=table, count=1)
    once = client(1)
    try:
        once.get_item(TableName=table, Key=key)
    except once.exceptions.ProvisionedThroughputExceededException as exc:
        error = exc.response
    else:
        raise AssertionError("the throttle did not apply")
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"].startswith("The level of configured provisioned throughput")

    rule = faults.error("dynamodb", action="GetItem", resource=table, count=1)
    answer = client(2).get_item(TableName=table, Key=key)
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1 and faults.hits(rule) == 1
    assert "Item" not in answer
