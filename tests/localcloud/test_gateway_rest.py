"""REST API (v1) emulation: events, routing, proxy responses, validation, CORS, binary media, errors."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from localcloud.model import Throttled
from tests.localcloud.fixtures.gateway.support import (
    FakeFunctions,
    api_id,
    deployment_from_sam,
    header,
    make_gateway,
    request,
)

TEMPLATES = Path(__file__).parent / "templates"
API = api_id("ItemsApi")


def echo(event):
    return {"statusCode": 200, "body": json.dumps({"resource": event["resource"], "pp": event["pathParameters"]})}


@pytest.fixture
def deployment(tmp_path):
    return deployment_from_sam(tmp_path, (TEMPLATES / "gateway_rest.yaml").read_text())


@pytest.fixture
def fns():
    return FakeFunctions(ItemsFunction=echo)


@pytest.fixture
def gw(deployment, fns):
    return make_gateway(deployment, fns)


def call(gw, method, path, **kw):
    return gw.handle(request(method, f"/{API}/v1{path}", **kw))


def body(resp):
    return json.loads(resp.body)


def test_base_urls_name_the_sam_api(gw):
    assert gw.base_urls("http://127.0.0.1:8000/") == {"ItemsApi": f"http://127.0.0.1:8000/{API}/v1"}


def test_v1_event_has_every_field_the_rest_resolver_reads(gw, fns):
    resp = call(
        gw,
        "GET",
        "/items/a%20b",
        query="tag=x&tag=y&q=hello%20world",
        headers=[("User-Agent", "pytest"), ("X-Multi", "1"), ("X-Multi", "2")],
    )
    assert resp.status == 200
    event = fns.last()
    assert event["resource"] == "/items/{itemId}"
    assert event["path"] == "/items/a%20b"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["User-Agent"] == "pytest"
    assert event["headers"]["X-Multi"] == "2"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"tag": "y", "q": "hello world"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["x", "y"], "q": ["hello world"]}
    assert event["pathParameters"] == {"itemId": "a b"}
    assert event["stageVariables"] == {"color": "blue"}
    assert event["body"] is None and event["isBase64Encoded"] is False
    ctx = event["requestContext"]
    assert ctx["accountId"] == "123456789012"
    assert ctx["apiId"] == API
    assert ctx["resourcePath"] == "/items/{itemId}"
    assert ctx["httpMethod"] == "GET"
    assert ctx["path"] == "/v1/items/a%20b"
    assert ctx["stage"] == "v1"
    assert ctx["requestId"] == header(resp, "x-amzn-RequestId")
    assert ctx["extendedRequestId"] and ctx["resourceId"] and ctx["domainName"]
    assert ctx["protocol"] == "HTTP/1.1"
    assert isinstance(ctx["requestTimeEpoch"], int) and ctx["requestTime"].endswith("+0000")
    assert ctx["identity"]["sourceIp"] == "10.1.2.3"
    assert ctx["identity"]["userAgent"] == "pytest"


def test_query_and_path_parameters_are_null_when_absent(gw, fns):
    call(gw, "GET", "/items")
    event = fns.last()
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None


def test_powertools_rest_resolver_routes_our_events(gw, fns):
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    app = APIGatewayRestResolver()

    @app.get("/items/<item_id>")
    def get_item(item_id):
        return {
            "id": item_id,
            "q": app.current_event.get_query_string_value("q"),
            "ip": app.current_event.request_context.identity.source_ip,
        }

    fns.handlers["ItemsFunction"] = lambda event: app.resolve(event, None)
    resp = call(gw, "GET", "/items/42", query="q=x")
    assert resp.status == 200
    assert body(resp) == {"id": "42", "q": "x", "ip": "10.1.2.3"}


@pytest.mark.parametrize(
    ("method", "path", "resource"),
    [
        ("GET", "/items/special", "/items/special"),  # a literal beats {itemId}
        ("GET", "/items/7", "/items/{itemId}"),
        ("DELETE", "/items/7", "/items/{itemId}"),  # ANY
        ("GET", "/files/a/b/c.txt", "/files/{proxy+}"),
        ("GET", "/items/", "/items"),
    ],
)
def test_routes_match_as_api_gateway_does(gw, method, path, resource):
    resp = call(gw, method, path)
    assert resp.status == 200, resp.body
    assert body(resp)["resource"] == resource


def test_greedy_parameter_holds_the_rest_of_the_path(gw):
    assert body(call(gw, "GET", "/files/a/b%2Fc"))["pp"] == {"proxy": "a/b/c"}


@pytest.mark.parametrize(("method", "path"), [("GET", "/nothing"), ("POST", "/items/special"), ("GET", "/files")])
def test_unknown_routes_answer_missing_authentication_token(gw, method, path):
    resp = call(gw, method, path)
    assert resp.status == 403
    assert body(resp) == {"message": "Missing Authentication Token"}


def test_unknown_stage_and_api_answer_json(gw):
    resp = gw.handle(request("GET", f"/{API}/prod/items"))
    assert resp.status == 403 and body(resp)["message"] == "Missing Authentication Token"
    assert "no stage 'prod'" in header(resp, "x-localcloud-reason")
    resp = gw.handle(request("GET", "/nosuchapi0/v1/items"))
    assert resp.status == 404 and "ItemsApi" in body(resp)["message"]


def test_proxy_response_headers_multivalue_and_base64(gw, fns):
    fns.handlers["ItemsFunction"] = lambda e: {
        "statusCode": 201,
        "headers": {"X-One": "1", "Content-Type": "image/png"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
        "isBase64Encoded": True,
    }
    resp = call(gw, "GET", "/items")
    assert resp.status == 201
    assert resp.body == b"\x89PNG\x00\xff"
    assert header(resp, "X-One") == "1"
    assert [v for k, v in resp.headers if k == "Set-Cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "just a string",
        {"body": "no status"},
        {"statusCode": "abc"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "body": "!!", "isBase64Encoded": True},
        {"statusCode": 200, "headers": ["x"]},
    ],
)
def test_malformed_proxy_response_is_a_502(gw, fns, payload):
    fns.handlers["ItemsFunction"] = lambda e: payload
    resp = call(gw, "GET", "/items")
    assert resp.status == 502
    assert body(resp) == {"message": "Internal server error"}
    assert "Malformed" in header(resp, "x-localcloud-reason")


def test_function_error_is_a_502_internal_server_error(gw, fns):
    def boom(event):
        raise RuntimeError("kaboom")

    fns.handlers["ItemsFunction"] = boom
    resp = call(gw, "GET", "/items")
    assert resp.status == 502
    assert body(resp) == {"message": "Internal server error"}
    assert "kaboom" in header(resp, "x-localcloud-reason")


def test_exhausted_concurrency_is_a_429(gw, fns):
    def throttled(event):
        raise Throttled("busy")

    fns.handlers["ItemsFunction"] = throttled
    resp = call(gw, "GET", "/items")
    assert resp.status == 429
    assert body(resp) == {"message": "Too Many Requests"}


def test_body_validation_against_the_model(gw, fns):
    for bad in ["{}", '{"name": ""}', '{"name": "a", "qty": "x"}', "{not json", "", "\xff\xfe"]:
        resp = call(gw, "POST", "/items", body=bad, headers={"Content-Type": "application/json"})
        assert resp.status == 400, bad
        assert body(resp) == {"message": "Invalid request body"}
    assert fns.count("ItemsFunction") == 0
    resp = call(gw, "POST", "/items", body='{"name": "a", "qty": 2}', headers={"Content-Type": "application/json"})
    assert resp.status == 200
    assert fns.last()["body"] == '{"name": "a", "qty": 2}'


def test_required_parameters(gw, fns):
    resp = call(gw, "GET", "/search")
    assert resp.status == 400
    assert body(resp) == {"message": "Missing required request parameters: [q]"}
    assert call(gw, "GET", "/search", query="q=x").status == 200


def test_cors_preflight_from_the_sam_mock_integration(gw, fns):
    resp = call(
        gw, "OPTIONS", "/items/5", headers={"Origin": "https://app.test", "Access-Control-Request-Method": "PUT"}
    )
    assert resp.status == 200
    assert header(resp, "Access-Control-Allow-Origin") == "https://app.test"
    assert header(resp, "Access-Control-Allow-Headers") == "Content-Type,Authorization"
    assert "PUT" in header(resp, "Access-Control-Allow-Methods")
    assert fns.count("ItemsFunction") == 0


def test_cors_headers_from_the_function_pass_through(gw, fns):
    fns.handlers["ItemsFunction"] = lambda e: {
        "statusCode": 200,
        "headers": {"Access-Control-Allow-Origin": "https://app.test", "Access-Control-Allow-Credentials": "true"},
        "body": "{}",
    }
    resp = call(gw, "GET", "/items", headers={"Origin": "https://app.test"})
    assert header(resp, "Access-Control-Allow-Origin") == "https://app.test"
    assert header(resp, "Access-Control-Allow-Credentials") == "true"


def test_binary_media_request_is_base64_encoded(gw, fns):
    png = b"\x89PNG\r\n\x1a\n\x00\xff"
    call(gw, "POST", "/upload", body=png, headers={"Content-Type": "image/png"})
    event = fns.last()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == png
    call(gw, "POST", "/upload", body='{"a": 1}', headers={"Content-Type": "application/json"})
    event = fns.last()
    assert event["isBase64Encoded"] is False and event["body"] == '{"a": 1}'


def test_default_content_type_is_json(gw):
    assert header(call(gw, "GET", "/items"), "Content-Type") == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "query", "headers"),
    [
        ("GET", "/items/%zz%", "a=%zz&&=&b", {}),
        ("GET", "/items/%ff%fe", "%ff=%fe", {}),
        ("GET", "/items", "", {"X-Huge": "x" * 200_000}),
        ("GET", "//items//", "", {}),
        ("BREW", "/items", "", {}),
        ("GET", "/files/" + "a/" * 2000, "", {}),
    ],
)
def test_malformed_requests_never_crash(gw, method, path, query, headers):
    resp = call(gw, method, path, query=query, headers=headers)
    assert resp.status < 500 or resp.status == 502
    assert "message" in body(resp) or resp.status == 200
