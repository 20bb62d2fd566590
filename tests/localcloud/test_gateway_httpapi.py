"""HTTP API (payload 2.0) emulation: events, response shapes, JWT authorizer, CORS, throttling."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.localcloud.fixtures.gateway.support import (
    Clock,
    FakeFunctions,
    api_id,
    deployment_from_sam,
    header,
    make_gateway,
    request,
)
from tests.localcloud.test_gateway_auth import Pool, aws, moto_url  # noqa: F401 (module fixtures)

TEMPLATES = Path(__file__).parent / "templates"
API = api_id("Http")


@pytest.fixture(scope="module")
def pool(aws):  # noqa: F811
    return Pool(aws, "http-api")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fns():
    return FakeFunctions(Fn=lambda e: {"statusCode": 200, "body": json.dumps({"routeKey": e.get("routeKey")})})


@pytest.fixture
def gw(tmp_path, moto_url, aws, pool, fns, clock):  # noqa: F811
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{pool.id}"
    deployment = deployment_from_sam(
        tmp_path,
        (TEMPLATES / "gateway_httpapi.yaml").read_text(),
        aws_endpoint=moto_url,
        params={"Issuer": issuer, "Audience": pool.client_id},
    )
    return make_gateway(deployment, fns, aws, monotonic=clock)


def call(gw, method, path, token=None, **kw):
    headers = kw.pop("headers", {})
    headers = list(headers.items()) if isinstance(headers, dict) else list(headers)
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    return gw.handle(request(method, f"/{API}/prod{path}", headers=headers, **kw))


def test_v2_event_fields(gw, fns, pool):
    id_token, _ = pool.tokens("alice")
    resp = call(
        gw,
        "GET",
        "/things/a%20b",
        id_token,
        query="x=1&x=2&y=hello+world",
        headers=[("User-Agent", "pytest"), ("Cookie", "a=1; b=2"), ("X-Multi", "1"), ("X-Multi", "2")],
    )
    assert resp.status == 200, resp.body
    event = fns.last()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /things/{id}"
    assert event["rawPath"] == "/prod/things/a b"
    assert event["rawQueryString"] == "x=1&x=2&y=hello+world"
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["user-agent"] == "pytest"
    assert event["headers"]["x-multi"] == "1,2"
    assert event["queryStringParameters"] == {"x": "1,2", "y": "hello world"}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["stageVariables"] == {"color": "blue"}
    ctx = event["requestContext"]
    assert ctx["http"] == {
        "method": "GET",
        "path": "/prod/things/a b",
        "protocol": "HTTP/1.1",
        "sourceIp": "10.1.2.3",
        "userAgent": "pytest",
    }
    assert ctx["routeKey"] == "GET /things/{id}" and ctx["stage"] == "prod" and ctx["requestId"]
    jwt_ctx = ctx["authorizer"]["jwt"]
    assert jwt_ctx["claims"]["cognito:username"] == "alice"
    assert jwt_ctx["claims"]["exp"].isdigit()
    assert event["isBase64Encoded"] is False and "body" not in event


def test_powertools_http_resolver_routes_our_events(gw, fns, pool):
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

    app = APIGatewayHttpResolver()

    @app.get("/things/<thing_id>")
    def thing(thing_id):
        return {"id": thing_id, "user": app.current_event.request_context.authorizer.jwt_claim["cognito:username"]}

    fns.handlers["Fn"] = lambda e: app.resolve(e, None)
    id_token, _ = pool.tokens("alice")
    resp = call(gw, "GET", "/things/7", id_token)
    assert resp.status == 200, resp.body
    assert json.loads(resp.body) == {"id": "7", "user": "alice"}


@pytest.mark.parametrize(
    ("payload", "status", "body", "content_type"),
    [
        ("hello", 200, b"hello", "application/json"),
        ({"a": 1}, 200, b'{"a": 1}', "application/json"),
        ([1, 2], 200, b"[1, 2]", "application/json"),
        ({"statusCode": 201, "body": "made", "headers": {"content-type": "text/plain"}}, 201, b"made", "text/plain"),
        (
            {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True},
            200,
            b"\x00\x01",
            None,
        ),
    ],
)
def test_v2_response_shapes(gw, fns, payload, status, body, content_type):
    fns.handlers["Fn"] = lambda e: payload
    resp = call(gw, "POST", "/open", body="{}")
    assert resp.status == status
    assert resp.body == body
    if content_type:
        assert header(resp, "content-type") == content_type


def test_v2_cookies_become_set_cookie(gw, fns):
    fns.handlers["Fn"] = lambda e: {"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": ""}
    resp = call(gw, "POST", "/open")
    assert [v for k, v in resp.headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2"]


def test_v2_errors(gw, fns):
    assert json.loads(call(gw, "GET", "/nothing").body) == {"message": "Not Found"}
    assert call(gw, "GET", "/nothing").status == 404

    def boom(event):
        raise RuntimeError("x")

    fns.handlers["Fn"] = boom
    resp = call(gw, "POST", "/open")
    assert resp.status == 500 and json.loads(resp.body) == {"message": "Internal Server Error"}
    fns.handlers["Fn"] = lambda e: {"statusCode": 200, "body": {"not": "string"}}
    assert call(gw, "POST", "/open").status == 500


def test_jwt_authorizer_rejects_missing_wrong_audience_and_other_issuers(gw, pool, aws, clock):  # noqa: F811
    clock.advance(100)  # room in the default route's bucket (burst 3)
    assert call(gw, "GET", "/things/1").status == 401
    assert json.loads(call(gw, "GET", "/things/1", "junk").body) == {"message": "Unauthorized"}
    other = Pool(aws, "http-other")
    foreign, _ = other.tokens("eve")
    assert call(gw, "GET", "/things/1", foreign).status == 401
    second_client = aws("cognito-idp").create_user_pool_client(
        UserPoolId=pool.id, ClientName="second", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    wrong_aud, _ = pool.tokens("alice", client_id=second_client)
    clock.advance(100)
    assert call(gw, "GET", "/things/1", wrong_aud).status == 401


def test_jwt_scopes(gw, pool, fns):
    _, access = pool.tokens("alice")
    assert call(gw, "GET", "/scoped", access).status == 200
    assert fns.last()["requestContext"]["authorizer"]["jwt"]["scopes"] == ["aws.cognito.signin.user.admin"]
    assert call(gw, "GET", "/other", access).status == 403


def test_payload_format_1_0_route(gw, fns):
    call(gw, "GET", "/legacy", query="a=1")
    event = fns.last()
    assert event["version"] == "1.0"
    assert event["httpMethod"] == "GET" and event["queryStringParameters"] == {"a": "1"}


def test_cors_preflight_and_response_headers(gw, fns):
    resp = call(
        gw, "OPTIONS", "/things/1", headers={"Origin": "https://app.test", "Access-Control-Request-Method": "GET"}
    )
    assert resp.status == 204
    assert header(resp, "access-control-allow-origin") == "https://app.test"
    assert header(resp, "access-control-allow-methods") == "GET,POST"
    assert header(resp, "access-control-max-age") == "600"
    denied = call(
        gw, "OPTIONS", "/things/1", headers={"Origin": "https://evil.test", "Access-Control-Request-Method": "GET"}
    )
    assert header(denied, "access-control-allow-origin") is None
    resp = call(gw, "POST", "/open", headers={"Origin": "https://app.test"})
    assert header(resp, "access-control-allow-origin") == "https://app.test"
    assert fns.count("Fn") == 1


def test_default_route_throttling(gw, clock):
    statuses = [call(gw, "POST", "/open").status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert json.loads(call(gw, "POST", "/open").body) == {"message": "Too Many Requests"}
    clock.advance(1)
    assert call(gw, "POST", "/open").status == 200


def test_default_stage_has_no_stage_in_raw_path(tmp_path, fns):
    deployment = deployment_from_sam(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Handler: app.handler
              Runtime: python3.13
              CodeUri: s3://bucket/key
              Events:
                Any:
                  Type: HttpApi
        """,
    )
    gw = make_gateway(deployment, fns)
    (url,) = gw.base_urls("http://h").values()
    assert url == f"http://h/{api_id('ServerlessHttpApi')}/$default"
    resp = gw.handle(request("PUT", f"/{api_id('ServerlessHttpApi')}/$default/any/path", body="x"))
    assert resp.status == 200
    event = fns.last()
    assert event["routeKey"] == "$default" and event["rawPath"] == "/any/path" and event["body"] == "x"
    # AWS serves the $default stage at the API's root too: https://{id}.execute-api.{region}.amazonaws.com/any/path
    resp = gw.handle(request("PUT", f"/{api_id('ServerlessHttpApi')}/any/path", body="y"))
    assert resp.status == 200
    event = fns.last()
    assert event["rawPath"] == "/any/path" and event["body"] == "y"
    assert gw.handle(request("GET", f"/{api_id('ServerlessHttpApi')}")).status == 200
