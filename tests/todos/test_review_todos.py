"""Adversarial inputs to the todos API: bodies and claims a hostile client can send."""

from __future__ import annotations

import json

import pytest
from todos import schemas

from tests.todos.client import FakeLambdaContext, InProcessApi, create_todo


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_deepest_json_under_the_size_limit_is_a_400(api, method):
    """The deepest nesting a body under the size limit allows is refused before the decoder recurses."""
    path = "/todos" if method == "POST" else f"/todos/{create_todo(api, 'alice')['todoId']}"
    depth = schemas.MAX_BODY_BYTES // 2
    nested = b"[" * depth + b"]" * depth

    response = api.request("alice", method, path, body=nested, headers={"Content-Type": "application/json"})

    assert response.status == 400, response
    assert response.json()["code"] == "InvalidJson"
    assert "nested more than" in response.json()["message"]


@pytest.mark.parametrize("field", ["pk", "sk", "owner", "todoId", "version", "createdAt"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_identity_fields_in_the_body_move_nothing(api, method, field):
    alices = create_todo(api, "alice", "hers")
    bobs = create_todo(api, "bob", "his")
    body = {"title": "taken", field: alices["todoId"] if field in ("sk", "todoId") else "x"}

    response = api.request("bob", method, f"/todos/{bobs['todoId']}", json=body)

    assert response.status == 400
    assert api.request("alice", "GET", f"/todos/{alices['todoId']}").json() == alices
    assert api.request("bob", "GET", f"/todos/{bobs['todoId']}").json() == bobs


@pytest.mark.parametrize("sub", [None, "", "   ", 42, ["alice"], {"sub": "alice"}, True])
def test_claims_without_a_string_sub_are_401(handlers, sub):
    read_handler, write_handler = handlers
    api = InProcessApi(read_handler, write_handler, namespace="claims")
    event = api.build_event("alice", "POST", "/todos", json={"title": "t"})
    event["requestContext"]["authorizer"]["claims"]["sub"] = sub

    result = write_handler(event, FakeLambdaContext("WriteTodosFunction"))

    assert result["statusCode"] == 401
    assert json.loads(result["body"])["code"] == "Unauthorized"
