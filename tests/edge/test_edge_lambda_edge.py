"""Lambda@Edge: the documented Records[0].cf events, results turned back, limits, and deploy-time checks.

The handlers here are Python functions called in process, their return value JSON round-tripped the way
the worker hands it back in an InvokeResult.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from localcloud.edge.edge_origins import custom_origin, s3_origin
from localcloud.edge.lambda_edge import (
    EdgeFunctionError,
    RoutedRequest,
    edge_event,
    interpret,
    validate_edge_function,
)
from localcloud.edge.model import EdgeRequest, EdgeResponse
from localcloud.model import FunctionSpec, InvokeResult

IDS = {
    "distribution_domain": "d111111abcdef8.cloudfront.net",
    "distribution_id": "EDFDVBD6EXAMPLE",
    "request_id": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
}
CONFIG = {
    "distributionDomainName": "d111111abcdef8.cloudfront.net",
    "distributionId": "EDFDVBD6EXAMPLE",
    "requestId": "4TyzHTaYWb1GX1qTfsHhEqV6HUDd_BzoBZnwfnvQc_1oF26ClkoUSEQ==",
}


def viewer_request(**changes) -> EdgeRequest:
    headers = [("Host", "d111111abcdef8.cloudfront.net"), ("User-Agent", "curl/7.66.0"), ("accept", "*/*")]
    return EdgeRequest(
        **{"method": "GET", "uri": "/", "querystring": "", "headers": headers, "client_ip": "203.0.113.178", **changes}
    )


def origin_request() -> EdgeRequest:
    headers = [
        ("X-Forwarded-For", "203.0.113.178"),
        ("User-Agent", "Amazon CloudFront"),
        ("Via", "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"),
        ("Host", "example.org"),
        ("Cache-Control", "no-cache, cf-no-cache"),
    ]
    return EdgeRequest("GET", "/", "", headers, "203.0.113.178")


ORIGIN = custom_origin("example.org", ssl_protocols=["TLSv1", "TLSv1.1", "TLSv1.2"])


def invoke(handler, event: dict) -> InvokeResult:
    """What the warm worker gives back: the handler's return value as JSON."""
    return InvokeResult(request_id="inv-1", payload=json.loads(json.dumps(handler(event, None))))


def run(event_type: str, handler, req: EdgeRequest, resp: EdgeResponse | None = None, **kwargs):
    event = edge_event(event_type, req, **IDS, response=resp, **kwargs)
    return interpret(event_type, invoke(handler, event), req, resp, origin=kwargs.get("origin"))


def test_the_viewer_request_event_is_the_documented_example():
    assert edge_event("viewer-request", viewer_request(), **IDS) == {
        "Records": [
            {
                "cf": {
                    "config": {**CONFIG, "eventType": "viewer-request"},
                    "request": {
                        "clientIp": "203.0.113.178",
                        "headers": {
                            "host": [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}],
                            "user-agent": [{"key": "User-Agent", "value": "curl/7.66.0"}],
                            "accept": [{"key": "accept", "value": "*/*"}],
                        },
                        "method": "GET",
                        "querystring": "",
                        "uri": "/",
                    },
                }
            }
        ]
    }


def test_origin_events_carry_the_origin_and_response_events_the_response():
    resp = EdgeResponse(200, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "9593")], b"x" * 9593)
    event = edge_event("origin-response", origin_request(), **IDS, origin=ORIGIN, response=resp)
    cf = event["Records"][0]["cf"]
    assert cf["config"]["eventType"] == "origin-response"
    assert cf["request"]["origin"] == {
        "custom": {
            "customHeaders": {},
            "domainName": "example.org",
            "keepaliveTimeout": 5,
            "path": "",
            "port": 443,
            "protocol": "https",
            "readTimeout": 30,
            "sslProtocols": ["TLSv1", "TLSv1.1", "TLSv1.2"],
        }
    }
    assert cf["request"]["headers"]["via"] == [
        {"key": "Via", "value": "2.0 2afae0d44e2540f472c0635ab62c232b.cloudfront.net (CloudFront)"}
    ]
    assert cf["response"] == {
        "headers": {
            "content-type": [{"key": "Content-Type", "value": "text/html; charset=utf-8"}],
            "content-length": [{"key": "Content-Length", "value": "9593"}],
        },
        "status": "200",
        "statusDescription": "OK",
    }
    viewer = edge_event("viewer-response", viewer_request(), **IDS, origin=ORIGIN, response=resp)["Records"][0]["cf"]
    assert "origin" not in viewer["request"]
    assert viewer["response"]["status"] == "200"


def test_disallowed_headers_are_not_shown():
    req = viewer_request(headers=[("Host", "h"), ("Connection", "keep-alive"), ("X-Amz-Cf-Id", "x"), ("Upgrade", "h2")])
    assert edge_event("viewer-request", req, **IDS)["Records"][0]["cf"]["request"]["headers"] == {
        "host": [{"key": "Host", "value": "h"}]
    }


def test_include_body_exposes_it_base64_and_truncates_at_40_kb_for_viewer_requests():
    body = b"a" * (40 * 1024 + 10)
    event = edge_event("viewer-request", viewer_request(method="POST", body=body), **IDS, include_body=True)
    exposed = event["Records"][0]["cf"]["request"]["body"]
    assert exposed["inputTruncated"] is True
    assert (exposed["action"], exposed["encoding"]) == ("read-only", "base64")
    assert base64.b64decode(exposed["data"]) == body[: 40 * 1024]
    small = edge_event("origin-request", viewer_request(method="POST", body=body), **IDS, include_body=True)
    assert small["Records"][0]["cf"]["request"]["body"]["inputTruncated"] is False


def require_token(event, context):
    """A viewer-request function that lets through only requests carrying a token."""
    request = event["Records"][0]["cf"]["request"]
    token = request["headers"].get("authorization", [{}])[0].get("value")
    if token != "Bearer s3cret":
        return {
            "status": "401",
            "statusDescription": "Unauthorized",
            "headers": {"www-authenticate": [{"key": "WWW-Authenticate", "value": "Bearer"}]},
            "body": "token required",
        }
    request["headers"]["x-user"] = [{"value": "alice"}]  # no key: CloudFront inserts "X-User"
    return request


def test_a_viewer_request_function_blocks_a_request_without_a_token():
    blocked = run("viewer-request", require_token, viewer_request())
    assert isinstance(blocked, EdgeResponse)
    assert blocked.status == 401
    assert blocked.headers == [("WWW-Authenticate", "Bearer")]
    assert blocked.body == b"token required"


def test_a_viewer_request_function_passes_a_request_with_a_token():
    req = viewer_request(headers=[("Host", "h"), ("Authorization", "Bearer s3cret"), ("Connection", "close")])
    passed = run("viewer-request", require_token, req)
    assert isinstance(passed, EdgeRequest)
    assert passed.headers == [
        ("Host", "h"),
        ("Authorization", "Bearer s3cret"),
        ("X-User", "alice"),
        ("Connection", "close"),
    ]


def add_security_header(event, context):
    response = event["Records"][0]["cf"]["response"]
    response["headers"]["x-frame-options"] = [{"key": "X-Frame-Options", "value": "DENY"}]
    return response


def test_an_origin_response_function_adds_a_header_and_keeps_the_body():
    resp = EdgeResponse(200, [("Content-Type", "text/html"), ("Content-Length", "5")], b"hello")
    result = run("origin-response", add_security_header, origin_request(), resp, origin=ORIGIN)
    assert result.status == 200
    assert result.body == b"hello"
    assert result.headers == [("Content-Type", "text/html"), ("Content-Length", "5"), ("X-Frame-Options", "DENY")]


def test_an_origin_response_function_can_replace_an_error_with_a_page():
    def replace(event, context):
        response = event["Records"][0]["cf"]["response"]
        if int(response["status"]) >= 400:
            response.update(status=200, statusDescription="OK", body="PGgxPm9rPC9oMT4=", bodyEncoding="base64")
        return response

    resp = EdgeResponse(500, [("Content-Length", "3")], b"err")
    result = run("origin-response", replace, origin_request(), resp, origin=ORIGIN)
    assert (result.status, result.body, result.headers) == (200, b"<h1>ok</h1>", [])


def test_a_viewer_response_function_cannot_change_the_status():
    def change(event, context):
        response = event["Records"][0]["cf"]["response"]
        response["status"] = "404"
        return response

    result = run("viewer-response", change, viewer_request(), EdgeResponse(200, [("Age", "1")], b"x"))
    assert result.status == 200


@pytest.mark.parametrize(
    "returned",
    [None, "not json", ["a", "list"], {"Records": []}, {"status": "700"}, {"status": "abc"}, {"headers": "x"}],
)
def test_a_malformed_result_is_a_502(returned):
    result = InvokeResult(request_id="inv", payload=returned)
    with pytest.raises(EdgeFunctionError) as caught:
        interpret("viewer-request", result, viewer_request())
    assert caught.value.status == 502


@pytest.mark.parametrize(
    ("error_type", "status"),
    [("Exception", 503), ("Runtime.ExitError", 503), ("Sandbox.Timedout", 503), ("Function.ResponseSizeTooLarge", 502)],
)
def test_a_function_error_gets_the_documented_status(error_type, status):
    result = InvokeResult(request_id="inv", error={"errorType": error_type, "errorMessage": "boom", "stackTrace": []})
    with pytest.raises(EdgeFunctionError) as caught:
        interpret("origin-request", result, origin_request())
    assert caught.value.status == status


def generated(size: int):
    def handler(event, context):
        return {"status": "200", "headers": {"content-type": [{"value": "text/plain"}]}, "body": "x" * size}

    return handler


def test_a_generated_response_over_40_kb_from_a_viewer_trigger_is_a_502():
    headers = len("Content-Type") + len("text/plain")
    assert run("viewer-request", generated(40 * 1024 - headers), viewer_request()).status == 200
    with pytest.raises(EdgeFunctionError, match="40960") as caught:
        run("viewer-request", generated(40 * 1024 - headers + 1), viewer_request())
    assert caught.value.status == 502
    assert len(run("origin-request", generated(41 * 1024), origin_request()).body) == 41 * 1024
    with pytest.raises(EdgeFunctionError, match="1048576"):
        run("origin-request", generated(1024 * 1024), origin_request())


def test_a_204_with_a_body_is_a_502():
    with pytest.raises(EdgeFunctionError, match="204"):
        run("viewer-request", lambda e, c: {"status": "204", "body": "x"}, viewer_request())


def set_header(name: str, value: str | None):
    def handler(event, context):
        cf = event["Records"][0]["cf"]
        target = cf.get("response", cf["request"])
        if value is None:
            target["headers"].pop(name.lower(), None)
        else:
            target["headers"][name.lower()] = [{"key": name, "value": value}]
        return target

    return handler


@pytest.mark.parametrize(
    ("event_type", "name", "value"),
    [
        ("viewer-request", "Host", "evil.example"),
        ("viewer-request", "Via", "1.1 me"),
        ("viewer-request", "CloudFront-Viewer-Country", "FR"),
        ("viewer-request", "X-Amz-Cf-Id", "forged"),
        ("viewer-request", "Connection", "close"),
        ("origin-request", "If-None-Match", '"x"'),
        ("origin-request", "Via", None),
        ("origin-response", "Transfer-Encoding", "chunked"),
        ("viewer-response", "Content-Length", "1"),
        ("viewer-response", "Warning", "199 - x"),
    ],
)
def test_touching_a_disallowed_or_read_only_header_is_a_502(event_type, name, value):
    req = origin_request() if event_type.startswith("origin") else viewer_request()
    resp = None if event_type.endswith("request") else EdgeResponse(200, [("Content-Length", "2")], b"ok")
    with pytest.raises(EdgeFunctionError) as caught:
        run(event_type, set_header(name, value), req, resp, origin=ORIGIN)
    assert caught.value.status == 502


def test_a_header_key_must_match_its_name():
    def bad_key(event, context):
        request = event["Records"][0]["cf"]["request"]
        request["headers"]["x-a"] = [{"key": "X-B", "value": "1"}]
        return request

    with pytest.raises(EdgeFunctionError, match="not that name"):
        run("viewer-request", bad_key, viewer_request())


def test_request_fields_come_back_and_the_method_is_read_only():
    def rewrite(event, context):
        request = event["Records"][0]["cf"]["request"]
        request.update(uri="/new/index.html", querystring="a=1&b=2")
        return request

    result = run("viewer-request", rewrite, viewer_request(uri="/new/"))
    assert (result.uri, result.querystring) == ("/new/index.html", "a=1&b=2")
    with pytest.raises(EdgeFunctionError, match="method"):
        run("viewer-request", lambda e, c: {**e["Records"][0]["cf"]["request"], "method": "POST"}, viewer_request())
    with pytest.raises(EdgeFunctionError, match="'/'"):
        run("viewer-request", lambda e, c: {**e["Records"][0]["cf"]["request"], "uri": "x"}, viewer_request())


def test_an_origin_request_function_routes_to_another_origin():
    def to_s3(event, context):
        request = event["Records"][0]["cf"]["request"]
        request["origin"] = s3_origin("my-bucket.s3.amazonaws.com")
        request["headers"]["host"] = [{"key": "host", "value": "my-bucket.s3.amazonaws.com"}]
        return request

    req = EdgeRequest("GET", "/", "useS3Origin=true", [("Host", "example.org")])
    result = run("origin-request", to_s3, req, origin=ORIGIN)
    assert isinstance(result, RoutedRequest)
    assert result.origin["s3"]["domainName"] == "my-bucket.s3.amazonaws.com"
    assert result.headers == [("host", "my-bucket.s3.amazonaws.com")]
    unchanged = run("origin-request", lambda e, c: e["Records"][0]["cf"]["request"], req, origin=ORIGIN)
    assert type(unchanged) is EdgeRequest


@pytest.mark.parametrize(
    "origin",
    [
        {"custom": {**ORIGIN["custom"], "port": 22}},
        {"custom": {**ORIGIN["custom"], "readTimeout": 90}},
        {"custom": {**ORIGIN["custom"], "protocol": "ftp"}},
        {**ORIGIN, **s3_origin("b.s3.amazonaws.com")},
        {"s3": {"domainName": "Bucket.s3.amazonaws.com"}},
        {"custom": {**ORIGIN["custom"], "customHeaders": {"x-amz-date": [{"key": "X-Amz-Date", "value": "x"}]}}},
    ],
)
def test_an_invalid_origin_is_a_502(origin):
    def route(event, context):
        request = event["Records"][0]["cf"]["request"]
        request["origin"] = origin
        return request

    with pytest.raises(EdgeFunctionError) as caught:
        run("origin-request", route, origin_request(), origin=ORIGIN)
    assert caught.value.status == 502


def test_a_request_body_can_be_replaced_within_its_limit():
    def replace(event, context):
        request = event["Records"][0]["cf"]["request"]
        request["body"].update(action="replace", encoding="text", data="a=2")
        return request

    req = viewer_request(method="POST", body=b"a=1")
    assert run("viewer-request", replace, req, include_body=True).body == b"a=2"
    read_only = run("viewer-request", lambda e, c: e["Records"][0]["cf"]["request"], req, include_body=True)
    assert read_only.body == b"a=1"

    def too_big(event, context):
        request = event["Records"][0]["cf"]["request"]
        request["body"].update(action="replace", encoding="text", data="x" * (40 * 1024 + 1))
        return request

    with pytest.raises(EdgeFunctionError, match="limit"):
        run("viewer-request", too_big, req, include_body=True)


def spec(**changes) -> FunctionSpec:
    fields = {
        "address": "Edge/AuthFunction",
        "name": "auth",
        "arn": "arn:aws:lambda:us-east-1:123456789012:function:auth",
        "handler": "app.handler",
        "runtime": "python3.13",
        "code_dir": Path("."),
    }
    return FunctionSpec(**{**fields, **changes})


def test_a_plain_python_function_in_us_east_1_is_a_valid_edge_function():
    assert validate_edge_function(spec(), ["viewer-request", "origin-response"]) == []
    assert validate_edge_function(spec(timeout=30, memory=1024), ["origin-request"]) == []


LATEST = "arn:aws:lambda:eu-west-1:123456789012:function:auth:$LATEST"


def test_edge_function_problems_are_reported_at_deployment():
    problems = validate_edge_function(
        spec(
            environment={"TABLE": "t"},
            timeout=10,
            memory=256,
            arn="arn:aws:lambda:eu-west-1:123456789012:function:auth",
            runtime="nodejs22.x",
            layer_dirs=[Path("layer")],
            architectures=["arm64"],
        ),
        ["viewer-request"],
        association_arn=LATEST,
    )
    assert problems == [
        "Lambda@Edge functions can't have environment variables (TABLE)",
        "Lambda@Edge functions can't use layers",
        "runtime nodejs22.x: localcloud runs Lambda@Edge functions in Python only",
        "Lambda@Edge functions can't use the arm64 architecture",
        "Lambda@Edge functions must be in us-east-1, not eu-west-1",
        f"{LATEST}: associate a numbered version, not $LATEST or an alias",
        "timeout 10 s: viewer triggers allow 5 s at most",
        "memory 256 MB: viewer triggers allow 128 MB at most",
    ]
    assert validate_edge_function(spec(timeout=31), ["origin-request"]) == [
        "timeout 31 s: origin triggers allow 30 s at most"
    ]
