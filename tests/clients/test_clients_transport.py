"""The SDK's requests on the wire, against a small local HTTP server that fails when told to: the
Idempotency-Key on creates and its reuse across retries, which failures are retried and which are not,
Cache-Control after the client's own write, the token refresh on a 401, and errors from JSON bodies."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from platform_client import errors
from platform_client.blog import BlogClient
from platform_client.todos import TodosClient
from platform_client.transport import RetryPolicy

TODO = {"todoId": "01J0000000000000000000000A", "title": "Buy milk", "notes": None, "due": None, "done": False,
        "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z", "version": 1}  # fmt: skip


class Recorder(BaseHTTPRequestHandler):
    """Answers each request with the next scripted (status, body, headers) and records what it got;
    status 0 drops the connection without an answer, as a flaky network does."""

    server: FakeApi

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.server.seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                 "body": self.rfile.read(length)})  # fmt: skip
        status, body, headers = self.server.script.pop(0) if self.server.script else self.server.default
        if status == 0:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        payload = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _handle

    def log_message(self, *args) -> None:
        pass


class FakeApi(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Recorder)
        self.seen: list[dict] = []
        self.script: list[tuple[int, object, dict]] = []
        self.default: tuple[int, object, dict] = (200, {"items": [], "nextCursor": None}, {})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def then(self, status: int, body: object = None, **headers: str) -> FakeApi:
        self.script.append((status, body, headers))
        return self


@pytest.fixture
def api() -> Iterator[FakeApi]:
    server = FakeApi()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Tokens:
    def __init__(self):
        self.calls: list[bool] = []

    def __call__(self, force_refresh: bool) -> str:
        self.calls.append(force_refresh)
        return f"token-{len(self.calls)}" if force_refresh else "token-1"


def todos(api: FakeApi, tokens=None, **kw) -> TodosClient:
    kw.setdefault("retry", RetryPolicy(attempts=4, base_delay=0.0))
    return TodosClient(api.url, tokens or Tokens(), **kw)


def keys(api: FakeApi) -> list[str | None]:
    return [r["headers"].get("Idempotency-Key") for r in api.seen]


def test_a_create_sends_an_idempotency_key_and_every_retry_sends_the_same_one(api):
    api.then(0).then(503, {"message": "busy", "code": "ServiceUnavailable"}).then(429, {"message": "slow"})
    api.then(201, TODO)
    assert todos(api).create("Buy milk") == TODO
    sent = keys(api)
    assert len(sent) == 4 and len(set(sent)) == 1 and sent[0]
    assert all(r["method"] == "POST" and r["path"] == "/v1/todos" for r in api.seen)
    assert json.loads(api.seen[-1]["body"]) == {"title": "Buy milk"}


def test_each_create_gets_its_own_key_and_a_callers_key_is_kept(api):
    client = todos(api)
    api.then(201, TODO).then(201, TODO).then(201, TODO)
    client.create("a")
    client.create("b")
    client.create("c", idempotency_key="outbox-42")
    first, second, third = keys(api)
    assert first != second and third == "outbox-42"


def test_blog_post_creates_send_a_key_too(api):
    api.then(500, {"message": "oops", "code": "InternalError"}).then(201, {"slug": "hi"})
    BlogClient(api.url, lambda force: "admin", retry=RetryPolicy(base_delay=0.0)).create_post(
        {"title": "Hi", "body": "x"}
    )
    first, second = keys(api)
    assert first and first == second


def test_a_create_gives_up_after_the_last_attempt_with_the_apis_error(api):
    for _ in range(3):
        api.then(503, {"message": "busy", "code": "ServiceUnavailable"})
    with pytest.raises(errors.ServerError) as caught:
        todos(api, retry=RetryPolicy(attempts=3, base_delay=0.0)).create("x")
    assert (caught.value.status, caught.value.code, caught.value.message) == (503, "ServiceUnavailable", "busy")
    assert len(api.seen) == 3 and len(set(keys(api))) == 1


def test_a_client_error_is_not_retried_and_maps_to_its_class(api):
    api.then(400, {"message": "title is required", "code": "BadRequest"})
    with pytest.raises(errors.BadRequest) as caught:
        todos(api).create("")
    assert caught.value.message == "title is required" and len(api.seen) == 1


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (404, {"message": "no such todo", "code": "TodoNotFound"}, errors.NotFound, "TodoNotFound"),
        (412, {"message": "moved on", "code": "VersionMismatch"}, errors.PreconditionFailed, "VersionMismatch"),
        (422, {"message": "key reused", "code": "IdempotencyKeyReused"}, errors.Unprocessable, "IdempotencyKeyReused"),
        (403, {"message": "Forbidden"}, errors.Forbidden, "Forbidden"),  # API Gateway's own: no code
        (418, None, errors.ApiError, "Error"),
    ],
)
def test_error_bodies_map_to_classes_with_their_code(api, status, body, kind, code):
    api.then(status, body)
    with pytest.raises(kind) as caught:
        todos(api).get(TODO["todoId"])
    assert type(caught.value) is kind and caught.value.code == code and caught.value.status == status


def test_a_patch_without_if_match_is_not_repeated_but_one_with_it_is(api):
    api.then(503, {"message": "busy"})
    with pytest.raises(errors.ServerError):
        todos(api).update(TODO["todoId"], {"done": True})
    assert len(api.seen) == 1
    api.then(503, {"message": "busy"}).then(200, TODO)
    todos(api).update(TODO["todoId"], {"done": True}, if_version=1)
    assert [r["headers"].get("If-Match") for r in api.seen[1:]] == ['"1"', '"1"']


def test_a_read_is_retried_after_a_dropped_connection_and_honours_retry_after(api):
    slept: list[float] = []
    api.then(0).then(429, {"message": "Too Many Requests"}, **{"Retry-After": "2"})
    todos(api, sleep=slept.append).list()
    assert len(api.seen) == 3 and slept[1] == 2.0


def test_a_connection_refused_after_every_attempt_raises_the_network_error(api):
    client = todos(api, retry=RetryPolicy(attempts=2, base_delay=0.0))
    client.transport.base_url = "http://127.0.0.1:9/v1"  # discard: nothing listens
    with pytest.raises(requests.ConnectionError):
        client.list()


def test_reads_after_the_clients_own_write_bypass_the_stage_cache_and_reads_before_do_not(api):
    now = [1000.0]
    client = todos(api, clock=lambda: now[0], fresh_window=300)
    client.list()
    api.then(201, TODO)
    client.create("x")
    client.list()
    client.get(TODO["todoId"])
    now[0] += 301
    client.list()
    cache = [r["headers"].get("Cache-Control") for r in api.seen]
    assert cache == [None, None, "max-age=0", "max-age=0", None]


def test_an_anonymous_client_never_asks_to_bypass_the_cache(api):
    blog = BlogClient(api.url)
    blog.transport._last_write = blog.transport._clock()
    blog.list_posts(tag="aws")
    assert "Cache-Control" not in api.seen[0]["headers"] and "Authorization" not in api.seen[0]["headers"]
    assert api.seen[0]["path"] == "/v1/posts?tag=aws"


def test_a_401_refreshes_the_token_once_and_repeats_the_call(api):
    tokens = Tokens()
    api.then(401, {"message": "Unauthorized"}).then(200, TODO)
    todos(api, tokens).get(TODO["todoId"])
    assert tokens.calls == [False, True]
    assert [r["headers"]["Authorization"] for r in api.seen] == ["token-1", "token-2"]
    api.then(401, {"message": "Unauthorized"}).then(401, {"message": "Unauthorized"})
    with pytest.raises(errors.Unauthorized):
        todos(api, tokens).get(TODO["todoId"])


def test_query_values_and_path_parameters_are_encoded_as_the_api_reads_them(api):
    client = todos(api)
    client.list(done=False, limit=5, cursor="a/b+c")
    client.get("../admin")
    assert api.seen[0]["path"] == "/v1/todos?done=false&limit=5&cursor=a%2Fb%2Bc"
    assert api.seen[1]["path"] == "/v1/todos/..%2Fadmin"


def test_a_success_that_is_not_json_is_an_api_error_not_a_crash(api):
    api.then(200, b"<html>a captive portal</html>", **{"Content-Type": "text/html"})
    with pytest.raises(errors.ApiError) as caught:
        todos(api).get(TODO["todoId"])
    assert (caught.value.status, caught.value.code) == (200, "NotJson")
