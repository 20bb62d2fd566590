"""The todos API as the tests see it: a protocol with one `request` method, and an in-process client.

Tests written against `ApiClient` know nothing about how requests travel. `InProcessApi` builds API
Gateway v1 proxy events from the samples in events/todos/ and calls the handlers directly; another
implementation can send real HTTP with real tokens. Users are plain names ("alice", "bob"); each client
maps a name to an identity of its own. `user=None` means an anonymous request.
"""

from __future__ import annotations

import base64
import copy
import json as jsonlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote

from requests.structures import CaseInsensitiveDict

from tests.support.openapi import Response

EVENTS_DIR = Path(__file__).resolve().parents[2] / "events" / "todos"
NO_JSON: Any = object()

QueryValue = str | list[str]


class ApiClient(Protocol):
    def request(
        self,
        user: str | None,
        method: str,
        path: str,
        *,
        json: Any = NO_JSON,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, QueryValue] | None = None,
    ) -> Response: ...


# Routes of the API: (method, resource) → the sample event it starts from.
SAMPLE_EVENTS = {
    ("GET", "/todos"): "list-todos.json",
    ("POST", "/todos"): "create-todo.json",
    ("GET", "/todos/{todoId}"): "get-todo.json",
    ("PUT", "/todos/{todoId}"): "replace-todo.json",
    ("PATCH", "/todos/{todoId}"): "update-todo.json",
    ("DELETE", "/todos/{todoId}"): "delete-todo.json",
}
_REQUEST_SPECIFIC_HEADERS = {"content-type", "if-match", "content-length"}


def load_event(name: str) -> dict:
    return jsonlib.loads((EVENTS_DIR / name).read_text())


def _match_route(method: str, path: str) -> tuple[str, dict | None]:
    parts = [p for p in path.split("/") if p]
    if parts == ["todos"]:
        resource, params = "/todos", None
    elif len(parts) == 2 and parts[0] == "todos":
        resource, params = "/todos/{todoId}", {"todoId": unquote(parts[1])}
    else:
        raise ValueError(f"no route for {method} {path}")
    if (method, resource) not in SAMPLE_EVENTS:
        raise ValueError(f"no route for {method} {path}")
    return resource, params


@dataclass
class FakeLambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def identity_for(user: str, namespace: str = "") -> dict:
    """Cognito-like claims for a user name, stable within a namespace (one per client)."""
    sub = str(uuid.uuid5(uuid.NAMESPACE_URL, f"mytodolist-test-user:{namespace}:{user}"))
    return {"sub": sub, "email": f"{user}@example.com", "cognito:username": sub}


class InProcessApi:
    """Calls the read/write handlers in this process, as API Gateway would after the Cognito authorizer."""

    def __init__(self, read_handler: Callable, write_handler: Callable, *, namespace: str = ""):
        self.read_handler = read_handler
        self.write_handler = write_handler
        self.namespace = namespace
        self.events: list[dict] = []

    def build_event(self, user, method, path, *, json=NO_JSON, body=None, headers=None, query=None) -> dict:
        method = method.upper()
        path = path.split("?", 1)[0]
        resource, path_params = _match_route(method, path)
        event = copy.deepcopy(load_event(SAMPLE_EVENTS[(method, resource)]))
        event.update(resource=resource, path=path, httpMethod=method, pathParameters=path_params)
        event["requestContext"].update(resourcePath=resource, httpMethod=method, path=f"/v1{path}")
        event["requestContext"]["requestId"] = str(uuid.uuid4())

        merged = {k: v for k, v in event["headers"].items() if k.lower() not in _REQUEST_SPECIFIC_HEADERS}
        payload: bytes | None = body
        if json is not NO_JSON:
            payload = jsonlib.dumps(json).encode()
            merged["Content-Type"] = "application/json"
        merged.update(headers or {})
        event["headers"] = merged
        event["multiValueHeaders"] = {k: [v] for k, v in merged.items()}

        if query:
            lists = {k: list(v) if isinstance(v, list) else [v] for k, v in query.items()}
            event["multiValueQueryStringParameters"] = lists
            event["queryStringParameters"] = {k: v[-1] for k, v in lists.items()}
        else:
            event["multiValueQueryStringParameters"] = None
            event["queryStringParameters"] = None

        if payload is None:
            event["body"], event["isBase64Encoded"] = None, False
        else:
            try:
                event["body"], event["isBase64Encoded"] = payload.decode("utf-8"), False
            except UnicodeDecodeError:
                event["body"], event["isBase64Encoded"] = base64.b64encode(payload).decode(), True

        if user is None:
            event["requestContext"].pop("authorizer", None)
        else:
            event["requestContext"]["authorizer"]["claims"].update(identity_for(user, self.namespace))
        return event

    def request(self, user, method, path, *, json=NO_JSON, body=None, headers=None, query=None) -> Response:
        event = self.build_event(user, method, path, json=json, body=body, headers=headers, query=query)
        self.events.append(event)
        if event["httpMethod"] == "GET":
            result = self.read_handler(event, FakeLambdaContext("ReadTodosFunction"))
        else:
            result = self.write_handler(event, FakeLambdaContext("WriteTodosFunction"))
        return to_response(result)


def to_response(result: dict) -> Response:
    """An API Gateway proxy integration result as the HTTP client would see it."""
    headers = CaseInsensitiveDict()
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    for name, value in (result.get("headers") or {}).items():
        headers[name] = value
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()
    return Response(status=int(result["statusCode"]), headers=headers, body=body)


# Small conveniences over any ApiClient.


def create_todo(api: ApiClient, user: str, title: str = "a todo", **fields) -> dict:
    response = api.request(user, "POST", "/todos", json={"title": title, **fields})
    assert response.status == 201, response
    return response.json()


def list_all(api: ApiClient, user: str, *, limit: int = 20, done: str | None = None) -> list[list[dict]]:
    """Every page of the user's list, following nextCursor to the end."""
    pages, cursor = [], None
    while True:
        query = {"limit": str(limit)}
        if done is not None:
            query["done"] = done
        if cursor:
            query["cursor"] = cursor
        response = api.request(user, "GET", "/todos", query=query)
        assert response.status == 200, response
        page = response.json()
        pages.append(page["items"])
        cursor = page["nextCursor"]
        if cursor is None:
            return pages
        assert len(pages) < 1000, "pagination does not end"
