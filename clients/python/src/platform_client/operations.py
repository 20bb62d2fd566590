"""Every API operation the SDK calls, as data: method, path, parameters, body and answer types.

The clients build each request from this table and from nothing else, so the table is the whole surface
the SDK depends on. tests/clients/test_clients_contract.py walks it against the services' openapi.yaml:
each operation must exist there with this method, path and operationId; every query parameter and request
header named here must be declared for it; the request and answer types must equal the schemas (see
models.py). A change to either side that breaks a client fails that test.

Why checked and not generated: the specs are hand-written, small and stable, and the generated code of the
usual generators (classes, validators, a runtime) is heavier than the TypedDicts a mobile developer mirrors.
Checking keeps the SDK readable and still makes drift a test failure.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_client import models


@dataclass(frozen=True)
class Operation:
    api: str  # "todos", "blog" or "media": the service whose openapi.yaml declares it
    operation_id: str
    method: str
    path: str  # the spec's path template, e.g. /todos/{todoId}
    status: int  # the success status
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()  # declared request headers the SDK may set (If-Match)
    request: type | None = None
    response: type | None = None
    creates: bool = False  # sends an Idempotency-Key, so retrying it is safe

    @property
    def writes(self) -> bool:
        return self.method != "GET"


LIST_TODOS = Operation("todos", "listTodos", "GET", "/todos", 200, query=("limit", "cursor", "done"),
                       response=models.TodoPage)  # fmt: skip
CREATE_TODO = Operation("todos", "createTodo", "POST", "/todos", 201, request=models.CreateTodo,
                        response=models.Todo, creates=True)  # fmt: skip
GET_TODO = Operation("todos", "getTodo", "GET", "/todos/{todoId}", 200, response=models.Todo)
UPDATE_TODO = Operation("todos", "updateTodo", "PATCH", "/todos/{todoId}", 200, headers=("If-Match",),
                        request=models.PatchTodo, response=models.Todo)  # fmt: skip
DELETE_TODO = Operation("todos", "deleteTodo", "DELETE", "/todos/{todoId}", 204, headers=("If-Match",))

LIST_POSTS = Operation("blog", "listPosts", "GET", "/posts", 200, query=("limit", "cursor", "tag"),
                       response=models.PostPage)  # fmt: skip
GET_POST = Operation("blog", "getPost", "GET", "/posts/{slug}", 200, response=models.Post)
CREATE_POST = Operation("blog", "createPost", "POST", "/posts", 201, request=models.CreatePost,
                        response=models.AdminPost, creates=True)  # fmt: skip
PUBLISH_POST = Operation("blog", "publishPost", "POST", "/posts/{slug}/publish", 200, headers=("If-Match",),
                         response=models.AdminPost)  # fmt: skip

# Not a create in the Idempotency-Key sense: it stores nothing, and a repeat only mints an unused form.
CREATE_UPLOAD = Operation("media", "createUpload", "POST", "/media/uploads", 201, request=models.CreateUpload,
                          response=models.Upload)  # fmt: skip

ALL = (LIST_TODOS, CREATE_TODO, GET_TODO, UPDATE_TODO, DELETE_TODO, LIST_POSTS, GET_POST, CREATE_POST, PUBLISH_POST,
       CREATE_UPLOAD)  # fmt: skip
