"""common.http: body parsing, caller claims, If-Match, and the resolver's error mapping."""

from __future__ import annotations

import base64
import json

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from common.errors import (
    BadRequest,
    Conflict,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from common.http import (
    caller_claims,
    etag,
    parse_if_match,
    parse_int_param,
    parse_json_body,
    register_error_handlers,
)


def test_parses_json_objects_and_base64_bodies():
    assert parse_json_body('{"a": 1}') == {"a": 1}
    assert parse_json_body(base64.b64encode(b'{"a": 2}').decode(), is_base64=True) == {"a": 2}
    assert parse_json_body('{"a": 1}', content_type="application/json; charset=utf-8") == {"a": 1}
    assert parse_json_body('{"a": 1}', content_type="application/merge-patch+json") == {"a": 1}
    assert parse_json_body('{"a": 1}', content_type=" Application/JSON\t; charset=utf-8") == {"a": 1}


@pytest.mark.parametrize(
    ("kwargs", "error", "code"),
    [
        ({"body": "{oops"}, BadRequest, "InvalidJson"),
        ({"body": None}, BadRequest, "InvalidBody"),
        ({"body": "  "}, BadRequest, "InvalidBody"),
        ({"body": "!!", "is_base64": True}, BadRequest, "InvalidBody"),
        ({"body": base64.b64encode(b"\xff\xfe").decode(), "is_base64": True}, BadRequest, "InvalidJson"),
        ({"body": "x" * 11, "max_bytes": 10}, PayloadTooLarge, "PayloadTooLarge"),
        ({"body": "{}", "content_type": "text/plain"}, UnsupportedMediaType, "UnsupportedMediaType"),
        ({"body": "{}", "content_type": "application/json\u3000"}, UnsupportedMediaType, "UnsupportedMediaType"),
    ],
)
def test_bad_bodies(kwargs, error, code):
    with pytest.raises(error) as caught:
        parse_json_body(**kwargs)
    assert caught.value.code == code


def test_size_is_counted_in_bytes_not_characters():
    body = json.dumps({"n": "é" * 6}, ensure_ascii=False)
    assert len(body) <= 20 < len(body.encode())
    with pytest.raises(PayloadTooLarge):
        parse_json_body(body, max_bytes=20)


def test_size_is_checked_before_the_media_type():
    with pytest.raises(PayloadTooLarge):
        parse_json_body("x" * 100, content_type="text/plain", max_bytes=10)


def test_caller_claims():
    event = {"requestContext": {"authorizer": {"claims": {"sub": "abc", "email": "a@example.com"}}}}
    assert caller_claims(event)["sub"] == "abc"
    for bad in ({}, {"requestContext": {}}, {"requestContext": {"authorizer": None}},
                {"requestContext": {"authorizer": {"claims": {"sub": ""}}}},
                {"requestContext": {"authorizer": {"claims": {"email": "x"}}}},
                {"requestContext": {"authorizer": {"claims": "sub=abc"}}}):  # fmt: skip
        with pytest.raises(Unauthorized):
            caller_claims(bad)


@pytest.mark.parametrize(
    ("value", "version"), [("3", 3), ('"3"', 3), ('W/"3"', 3), ('"012"', 12), (None, None), ("*", None)]
)
def test_if_match(value, version):
    assert parse_if_match(value) == version


@pytest.mark.parametrize(
    "value",
    ["abc", '"3', "W/3x", "3.0", "-1", '"1", "2"', "9" * 40, "W/3", "", " ", ' "12" ', "\uff13", '"\u0663"', "3\n"],
)
def test_bad_if_match(value):
    with pytest.raises(BadRequest):
        parse_if_match(value)


def test_etag_round_trips():
    assert etag(7) == '"7"'
    assert parse_if_match(etag(7)) == 7


def _resolver():
    app = APIGatewayRestResolver()
    register_error_handlers(app)

    @app.get("/conflict")
    def conflict():
        raise Conflict("already there", code="Duplicate")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/throttled")
    def throttled():
        from botocore.exceptions import ClientError

        error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
        raise ClientError(error, "PutItem")

    return app


def _event(path):
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {}, "requestContext": {}, "body": None}


def _call(app, path):
    result = app.resolve(_event(path), None)
    return result["statusCode"], json.loads(result["body"])


def test_api_errors_keep_status_and_code():
    assert _call(_resolver(), "/conflict") == (409, {"message": "already there", "code": "Duplicate"})


def test_unknown_route_is_json_404():
    status, body = _call(_resolver(), "/nowhere")
    assert status == 404 and body["code"] == "NotFound"


def test_unexpected_errors_are_a_bare_500():
    status, body = _call(_resolver(), "/boom")
    assert status == 500
    assert body == {"message": "internal error", "code": "InternalError"}


def test_a_throttled_dependency_is_a_503_with_retry_after():
    result = _resolver().resolve(_event("/throttled"), None)
    assert result["statusCode"] == 503
    assert result["multiValueHeaders"]["Retry-After"] == ["1"]
    assert json.loads(result["body"]) == {"message": "the service is busy; retry shortly", "code": "ServiceUnavailable"}


DEEP = [
    pytest.param("[" * 10_000, id="10k-unclosed"),
    pytest.param("[" * 8_000 + "]" * 8_000, id="8k-closed"),
    pytest.param('{"a":' * 2_500 + "1" + "}" * 2_500, id="2500-objects"),
    pytest.param('{"title": "t", "notes": ' + "[" * 65 + "]" * 65 + "}", id="65-levels"),
]


@pytest.mark.parametrize("body", DEEP)
def test_deeply_nested_json_is_a_400_not_a_recursion_error(body):
    assert len(body.encode()) < 16 * 1024
    with pytest.raises(BadRequest) as caught:
        parse_json_body(body, max_bytes=16 * 1024)
    assert caught.value.code == "InvalidJson"
    assert "nested" in caught.value.message


def test_nesting_up_to_the_limit_and_brackets_inside_strings_are_fine():
    assert parse_json_body("[" * 64 + "]" * 64) is not None
    assert parse_json_body(json.dumps({"title": "[" * 5000 + "{" * 5000})) == {"title": "[" * 5000 + "{" * 5000}
    many = json.dumps([{"a": [1]} for _ in range(500)])
    assert len(parse_json_body(many, max_bytes=16 * 1024)) == 500


@pytest.mark.parametrize(
    "body",
    [r'{"title": "\ud800"}', r'{"title": "a\udfffb"}', r'{"\udbff": 1}', r'["\ude00\ud83d"]', r'{"a": [1, "\ud800"]}'],
)
def test_lone_surrogates_are_a_400(body):
    with pytest.raises(BadRequest) as caught:
        parse_json_body(body)
    assert caught.value.code == "InvalidJson"
    assert "surrogate" in caught.value.message


def test_surrogate_pairs_and_escaped_backslashes_are_fine():
    assert parse_json_body(r'{"title": "\ud83d\ude00"}') == {"title": "\U0001f600"}
    assert parse_json_body(r'{"title": "\\ud800"}') == {"title": "\\ud800"}


@pytest.mark.parametrize("body", ['{"n": NaN}', '{"n": Infinity}', '{"n": -Infinity}', '{"n": 1e400}', "[-1e999]"])
def test_non_finite_numbers_are_a_400(body):
    with pytest.raises(BadRequest) as caught:
        parse_json_body(body)
    assert caught.value.code == "InvalidJson"


def _limit(raw):
    return parse_int_param(raw, name="limit", minimum=1, maximum=100, default=20, code="InvalidLimit")


@pytest.mark.parametrize(("raw", "value"), [(None, 20), ("1", 1), ("100", 100), ("007", 7)])
def test_int_params(raw, value):
    assert _limit(raw) == value


@pytest.mark.parametrize(
    "raw",
    ["", "0", "101", "-1", "+5", " 5", "5 ", "5\n", "1.5", "1e2", "0x10", "1_0", "ten",
     "\uff15", "\u0665", "\u00b2", "\u2075", "\U0001d7d3", "9" * 5000, "0" * 5000 + "5"],
)  # fmt: skip
def test_bad_int_params_are_a_400(raw):
    with pytest.raises(BadRequest) as caught:
        _limit(raw)
    assert caught.value.code == "InvalidLimit"
    assert len(caught.value.message) < 120
