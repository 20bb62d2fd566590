"""The MyTodoList API: the signed-in user's todos (services/todos/openapi.yaml)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from platform_client import operations as ops
from platform_client.models import CreateTodo, PatchTodo, Todo, TodoPage
from platform_client.transport import TokenSource, Transport


def _if_match(version: int | None) -> dict[str, str]:
    return {"If-Match": f'"{version}"'} if version is not None else {}


class TodosClient:
    def __init__(self, base_url: str, token: TokenSource, **transport: Any):
        self.transport = Transport(base_url, token=token, **transport)

    def list(self, *, done: bool | None = None, limit: int | None = None, cursor: str | None = None) -> TodoPage:
        reply = self.transport.call(ops.LIST_TODOS, query={"done": done, "limit": limit, "cursor": cursor})
        return cast(TodoPage, reply.body)

    def iter_all(self, *, done: bool | None = None, page_size: int = 100) -> Iterator[Todo]:
        cursor = None
        while True:
            page = self.list(done=done, limit=page_size, cursor=cursor)
            yield from page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return

    def create(self, title: str, *, notes: str | None = None, due: str | None = None,
               idempotency_key: str | None = None) -> Todo:  # fmt: skip
        """Create a todo. Retries reuse one Idempotency-Key; pass your own to make retries across runs safe."""
        body: CreateTodo = {"title": title}
        if notes is not None:
            body["notes"] = notes
        if due is not None:
            body["due"] = due
        reply = self.transport.call(ops.CREATE_TODO, body=body, idempotency_key=idempotency_key)
        return cast(Todo, reply.body)

    def get(self, todo_id: str) -> Todo:
        return cast(Todo, self.transport.call(ops.GET_TODO, path={"todoId": todo_id}).body)

    def update(self, todo_id: str, changes: PatchTodo, *, if_version: int | None = None) -> Todo:
        """Change some fields; with `if_version`, only if the todo is still at that version (else 412)."""
        reply = self.transport.call(ops.UPDATE_TODO, path={"todoId": todo_id}, body=changes,
                                    headers=_if_match(if_version))  # fmt: skip
        return cast(Todo, reply.body)

    def delete(self, todo_id: str, *, if_version: int | None = None) -> None:
        self.transport.call(ops.DELETE_TODO, path={"todoId": todo_id}, headers=_if_match(if_version))
