"""Every kind of bad input gets the right 4xx with a `{"message", "code"}` JSON body, never a 500."""

from __future__ import annotations

import json

import pytest

from tests.todos.client import create_todo

MISSING_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def _assert_error(response, status: int, code: str | None = None):
    assert response.status == status, response
    body = response.json()
    assert set(body) == {"message", "code"}
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    return body


@pytest.fixture
def todo_path(api):
    return f"/todos/{create_todo(api, 'alice', 'target')['todoId']}"


BAD_BODIES = [
    pytest.param(b"{not json", "InvalidJson", id="bad-json"),
    pytest.param(b"", "InvalidBody", id="empty"),
    pytest.param(b"\xff\xfe\x00garbage", "InvalidJson", id="not-utf8"),
    pytest.param(b"[]", "ValidationError", id="array"),
    pytest.param(b'"title"', "ValidationError", id="string"),
    pytest.param(b"null", "ValidationError", id="null"),
    pytest.param(json.dumps({"title": 5}).encode(), "ValidationError", id="title-number"),
    pytest.param(json.dumps({"title": ""}).encode(), "ValidationError", id="title-empty"),
    pytest.param(json.dumps({"title": "   "}).encode(), "ValidationError", id="title-blank"),
    pytest.param(json.dumps({"title": "\ufeff\u3000"}).encode(), "ValidationError", id="title-ecma-blank"),
    pytest.param(json.dumps({"title": "x" * 201}).encode(), "ValidationError", id="title-201"),
    pytest.param(json.dumps({"title": None}).encode(), "ValidationError", id="title-null"),
    pytest.param(json.dumps({"title": "t", "notes": "n" * 4097}).encode(), "ValidationError", id="notes-4097"),
    pytest.param(json.dumps({"title": "t", "notes": 3}).encode(), "ValidationError", id="notes-number"),
    pytest.param(json.dumps({"title": "t", "due": "tomorrow"}).encode(), "ValidationError", id="due-words"),
    pytest.param(json.dumps({"title": "t", "due": "2025-02-30"}).encode(), "ValidationError", id="due-feb-30"),
    pytest.param(json.dumps({"title": "t", "due": "2025-1-5"}).encode(), "ValidationError", id="due-short"),
    pytest.param(json.dumps({"title": "t", "due": "2025-01-05T10:00:00Z"}).encode(), "ValidationError", id="due-ts"),
    pytest.param(json.dumps({"title": "t", "due": "2025-01-05\n"}).encode(), "ValidationError", id="due-newline"),
    pytest.param(
        json.dumps({"title": "t", "due": "\u0662\u0660\u0662\u0665-01-05"}).encode(), "ValidationError", id="due-arabic"
    ),
    pytest.param(json.dumps({"title": "t", "owner": "bob"}).encode(), "ValidationError", id="unknown-field"),
    pytest.param(json.dumps({"title": "t", "todoId": MISSING_ID}).encode(), "ValidationError", id="client-id"),
    pytest.param(json.dumps({"title": "t", "version": 7}).encode(), "ValidationError", id="client-version"),
    pytest.param(b"[" * 10_000, "InvalidJson", id="nested-10k"),
    pytest.param(b'{"title": "t", "notes": ' + b"[" * 8_000 + b"]" * 8_000 + b"}", "InvalidJson", id="nested-8k"),
    pytest.param(rb'{"title": "\ud800"}', "InvalidJson", id="lone-surrogate"),
    pytest.param(rb'{"title": "t", "notes": "a\udfffb"}', "InvalidJson", id="lone-low-surrogate"),
    pytest.param(b'{"title": "t", "notes": NaN}', "InvalidJson", id="nan"),
]


@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
def test_bad_create_bodies(api, body, code):
    _assert_error(
        api.request("alice", "POST", "/todos", body=body, headers={"Content-Type": "application/json"}), 400, code
    )
    assert api.request("alice", "GET", "/todos").json()["items"] == []


def test_surrogate_pairs_are_ordinary_characters(api):
    body = rb'{"title": "\ud83d\ude00", "notes": "caf\u00e9"}'
    response = api.request("alice", "POST", "/todos", body=body, headers={"Content-Type": "application/json"})
    assert response.status == 201, response
    assert response.json()["title"] == "\U0001f600"


def test_create_does_not_take_done(api):
    _assert_error(api.request("alice", "POST", "/todos", json={"title": "t", "done": True}), 400, "ValidationError")


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize(("body", "code"), BAD_BODIES)
def test_bad_update_bodies_change_nothing(api, todo_path, method, body, code):
    before = api.request("alice", "GET", todo_path).json()
    response = api.request("alice", method, todo_path, body=body, headers={"Content-Type": "application/json"})
    _assert_error(response, 400, code)
    assert api.request("alice", "GET", todo_path).json() == before


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PATCH", {}),
        ("PATCH", {"done": "yes"}),
        ("PATCH", {"done": None}),
        ("PATCH", {"title": None}),
        ("PUT", {"done": True}),
        ("PUT", {"title": "t", "done": 1}),
    ],
)
def test_bad_update_fields(api, todo_path, method, body):
    _assert_error(api.request("alice", method, todo_path, json=body), 400, "ValidationError")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_oversize_body_is_413(api, todo_path, method):
    path = "/todos" if method == "POST" else todo_path
    body = json.dumps({"title": "t", "notes": "n" * 4000, "padding": "p" * (17 * 1024)}).encode()
    _assert_error(api.request("alice", method, path, body=body, headers={"Content-Type": "application/json"}), 413)


def test_body_just_under_the_limit_is_judged_on_its_content(api):
    body = json.dumps({"title": "t", "notes": "é" * 4096}, ensure_ascii=False).encode()
    assert len(body) < 16 * 1024
    assert api.request("alice", "POST", "/todos", body=body, headers={"Content-Type": "application/json"}).status == 201


def test_wrong_content_type_is_415(api):
    body = json.dumps({"title": "t"}).encode()
    _assert_error(api.request("alice", "POST", "/todos", body=body, headers={"Content-Type": "text/plain"}), 415)


@pytest.mark.parametrize(
    "query",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"limit": "99999999999999999999999"},
        {"limit": "9" * 5000},
        {"limit": "\uff15"},
        {"limit": "\u0665"},
        {"limit": "\u00b2"},
        {"limit": " 5"},
        {"limit": "+5"},
        {"done": "yes"},
        {"done": "True"},
        {"done": "1"},
        {"done": ""},
        {"cursor": ""},
        {"cursor": "x" * 3000},
    ],
)
def test_bad_list_parameters_are_400(api, query):
    _assert_error(api.request("alice", "GET", "/todos", query=query), 400)


@pytest.mark.parametrize("if_match", ["abc", '"1', "W/abc", "1.0", "-1", '"1", "2"', "W/1", ""])
def test_bad_if_match_is_400(api, todo_path, if_match):
    response = api.request("alice", "PATCH", todo_path, json={"done": True}, headers={"If-Match": if_match})
    _assert_error(response, 400, "InvalidIfMatch")
    assert api.request("alice", "GET", todo_path).json()["version"] == 1


@pytest.mark.parametrize(
    "todo_id", ["nope", "01arz3ndektsv4rrffq69g5fav", "01ARZ3NDEKTSV4RRFFQ69G5FA", "81ARZ3NDEKTSV4RRFFQ69G5FAV"]
)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_malformed_todo_id_is_404(api, method, todo_id):
    kwargs = {"json": {"title": "t"}} if method in ("PUT", "PATCH") else {}
    _assert_error(api.request("alice", method, f"/todos/{todo_id}", **kwargs), 404, "TodoNotFound")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_unknown_todo_is_404(api, method):
    kwargs = {"json": {"title": "t"}} if method in ("PUT", "PATCH") else {}
    _assert_error(api.request("alice", method, f"/todos/{MISSING_ID}", **kwargs), 404, "TodoNotFound")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/todos", None),
        ("POST", "/todos", {"title": "t"}),
        ("GET", f"/todos/{MISSING_ID}", None),
        ("PUT", f"/todos/{MISSING_ID}", {"title": "t"}),
        ("PATCH", f"/todos/{MISSING_ID}", {"done": True}),
        ("DELETE", f"/todos/{MISSING_ID}", None),
    ],
)
def test_anonymous_is_401(api, method, path, body):
    kwargs = {"json": body} if body is not None else {}
    _assert_error(api.request(None, method, path, **kwargs), 401, "Unauthorized")


@pytest.mark.parametrize("if_match", ["\u0661", '"\uff11"', "\u3000*", "9" * 5000])
def test_if_match_takes_ascii_digits_and_nothing_around_them(api, todo_path, if_match):
    """A non-ASCII value travels as raw UTF-8 over HTTP, as curl would send it."""
    response = api.request("alice", "PUT", todo_path, json={"title": "t"}, headers={"If-Match": if_match})
    _assert_error(response, 400, "InvalidIfMatch")
