"""openapi.yaml, the template's Api events, the code's schemas and the sample events agree."""

from __future__ import annotations

import json

import pytest
from todos import schemas

from tests.templates.cfn import load_template
from tests.todos import contract
from tests.todos.client import EVENTS_DIR, SAMPLE_EVENTS, FakeLambdaContext, load_event, to_response

SAMPLE_OWNER_TODO = "01JD8X3Q9ZK4T6W2M8N5R7P1QA"


def template_routes() -> dict[tuple[str, str], str]:
    resources = load_template("services/todos/template.yaml")["Resources"]
    routes = {}
    for function in resources.values():
        if function["Type"] != "AWS::Serverless::Function":
            continue
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                props = event["Properties"]
                routes[(props["Method"].upper(), props["Path"])] = function["Properties"]["Handler"]
    return routes


def test_openapi_routes_equal_template_routes():
    assert contract.routes() == set(template_routes())


def test_reads_go_to_the_read_function_and_writes_to_the_write_function():
    for (method, _path), handler in template_routes().items():
        expected = "todos.handlers.read.handler" if method == "GET" else "todos.handlers.write.handler"
        assert handler == expected


def test_every_route_has_a_sample_event():
    assert set(SAMPLE_EVENTS) == contract.routes()
    assert {p.name for p in EVENTS_DIR.glob("*.json")} == set(SAMPLE_EVENTS.values())


@pytest.mark.parametrize(
    ("name", "code_schema"),
    [("CreateTodo", schemas.CREATE_TODO), ("ReplaceTodo", schemas.REPLACE_TODO), ("PatchTodo", schemas.PATCH_TODO)],
)
def test_code_request_schemas_equal_openapi(name, code_schema):
    assert contract.schema(name) == code_schema


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("POST", "/todos", "CreateTodo"),
        ("PUT", "/todos/{todoId}", "ReplaceTodo"),
        ("PATCH", "/todos/{todoId}", "PatchTodo"),
    ],
)
def test_operations_use_those_schemas(method, path, schema):
    body = contract.operation(method, path)["requestBody"]["content"]["application/json"]["schema"]
    assert contract.to_json_schema(body) == contract.schema(schema)


def test_query_limits_equal_openapi():
    limit = contract.parameter("GET", "/todos", "limit")["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (
        schemas.LIMIT_MIN,
        schemas.LIMIT_MAX,
        schemas.LIMIT_DEFAULT,
    )
    assert contract.parameter("GET", "/todos", "done")["schema"]["enum"] == ["true", "false"]
    assert contract.parameter("GET", "/todos/{todoId}", "todoId")["schema"]["pattern"] == schemas.TODO_ID_PATTERN
    assert contract.schema("Todo")["properties"]["todoId"]["pattern"] == schemas.TODO_ID_PATTERN


def test_openapi_declares_cognito_security():
    doc = contract.document()
    scheme = doc["components"]["securitySchemes"]["CognitoUserPool"]
    assert scheme["x-amazon-apigateway-authtype"] == "cognito_user_pools"
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert doc["security"] == [{"CognitoUserPool": []}]


V1_KEYS = {
    "resource",
    "path",
    "httpMethod",
    "headers",
    "multiValueHeaders",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "stageVariables",
    "requestContext",
    "body",
    "isBase64Encoded",
}


@pytest.mark.parametrize(("route", "name"), SAMPLE_EVENTS.items())
def test_sample_events_are_full_v1_events(route, name):
    event = load_event(name)
    assert set(event) == V1_KEYS
    assert (event["httpMethod"], event["resource"]) == route
    assert event["requestContext"]["resourcePath"] == event["resource"]
    claims = event["requestContext"]["authorizer"]["claims"]
    assert {"sub", "email", "cognito:username", "token_use"} <= set(claims)
    if "{todoId}" in event["resource"]:
        assert event["path"] == f"/todos/{event['pathParameters']['todoId']}"
    if event["body"] is not None:
        json.loads(event["body"])
        assert event["headers"]["Content-Type"] == "application/json"


EXPECTED_STATUS = {
    "list-todos.json": 200,
    "create-todo.json": 201,
    "get-todo.json": 200,
    "replace-todo.json": 200,
    "update-todo.json": 200,
    "delete-todo.json": 204,
}


@pytest.mark.parametrize(("route", "name"), SAMPLE_EVENTS.items())
def test_handlers_accept_the_sample_events_unchanged(handlers, store, route, name):
    """What `sam local invoke -e events/todos/<name>` does, against moto: the sample todo exists at v1."""
    event = load_event(name)
    sample_owner = event["requestContext"]["authorizer"]["claims"]["sub"]
    if store.get(sample_owner, SAMPLE_OWNER_TODO):
        store.delete(sample_owner, SAMPLE_OWNER_TODO, expected_version=None)
    store.insert(
        sample_owner,
        {
            "todoId": SAMPLE_OWNER_TODO,
            "title": "Buy oat milk",
            "notes": None,
            "due": None,
            "done": False,
            "createdAt": "2025-11-23T16:00:00.000Z",
            "updatedAt": "2025-11-23T16:00:00.000Z",
            "version": 1,
        },
    )
    read_handler, write_handler = handlers
    handler = read_handler if route[0] == "GET" else write_handler
    response = to_response(handler(event, FakeLambdaContext("sample")))
    assert response.status == EXPECTED_STATUS[name], response
    contract.check_response(route[0], event["path"], response)
