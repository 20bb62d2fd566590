"""WriteTodosFunction: POST /todos, PUT/PATCH/DELETE /todos/{todoId}."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from common.http import parse_json_body
from common.idempotency import HEADER, parse_key

from todos import schemas
from todos.handlers import http

app = http.make_resolver()


def _body():
    event = app.current_event
    return parse_json_body(
        event.body,
        is_base64=bool(event.is_base64_encoded),
        content_type=http.header(app, "Content-Type"),
        max_bytes=schemas.MAX_BODY_BYTES,
    )


def _location(todo_id: str) -> str:
    """The new todo's path as the client called it (stage or custom-domain base path included)."""
    context = app.current_event.raw_event.get("requestContext") or {}
    base = (context.get("path") or app.current_event.path or "/todos").rstrip("/")
    return f"{base}/{todo_id}"


@app.post("/todos")
def create_todo():
    owner = http.owner(app)
    key = parse_key(http.header(app, HEADER))
    item = http.service().create(owner, _body(), idempotency_key=key, lambda_context=app.lambda_context)
    return http.item_response(item, 201, {"Location": _location(item["todoId"])})


@app.put("/todos/<todoId>")
def replace_todo(todoId: str):
    owner = http.owner(app)
    item = http.service().replace(owner, todoId, _body(), http.expected_version(app))
    return http.item_response(item)


@app.patch("/todos/<todoId>")
def update_todo(todoId: str):
    owner = http.owner(app)
    item = http.service().patch(owner, todoId, _body(), http.expected_version(app))
    return http.item_response(item)


@app.delete("/todos/<todoId>")
def delete_todo(todoId: str):
    owner = http.owner(app)
    http.service().delete(owner, todoId, http.expected_version(app))
    return Response(status_code=204, body=None)


@http.logger.inject_lambda_context(clear_state=True)
def handler(event, context):
    return app.resolve(event, context)
