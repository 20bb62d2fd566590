"""The gateway's request log: each request with its status, time, the functions it ran and what they got."""

from __future__ import annotations

import json
from pathlib import Path

from localcloud.model import HttpResponse, InvokeResult
from localcloud.requestlog import MAX_BODY, RequestLog, note_call
from tests.localcloud.fixtures.gateway.support import (
    FakeFunctions,
    api_id,
    deployment_from_sam,
    function_arn,
    make_gateway,
    request,
)

TEMPLATES = Path(__file__).parent / "templates"
REST = api_id("ItemsApi")
SECURE = api_id("SecureApi")
ARN = function_arn("")  # these deployments are not provisioned, so calls are named by ARN


def _allow(event):
    return {
        "principalId": "ann",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}],
        },
    }


def test_a_served_request_is_logged_with_its_function_event_and_response(tmp_path):
    deployment = deployment_from_sam(tmp_path, (TEMPLATES / "gateway_rest.yaml").read_text())
    log = RequestLog()
    fns = FakeFunctions(ItemsFunction=lambda event: {"statusCode": 201, "body": json.dumps({"ok": True})})
    gw = make_gateway(deployment, fns, requests=log)

    response = gw.handle(request("GET", f"/{REST}/v1/items/a1", query="x=1"))

    [entry] = log.entries()
    assert response.status == 201
    assert dict(response.headers)["x-amzn-RequestId"] == entry.id
    summary = entry.summary()
    assert summary["api"] == "ItemsApi" and summary["stage"] == "v1"
    assert (summary["method"], summary["path"], summary["status"]) == ("GET", f"/{REST}/v1/items/a1", 201)
    assert summary["function"] == ARN + "ItemsFunction" and summary["function_request_id"] == "req"
    assert summary["ms"] >= 0
    [call] = entry.invocations
    assert call.role == "integration"
    assert call.event["pathParameters"] == {"itemId": "a1"}
    assert call.event["requestContext"]["requestId"] == entry.id
    assert call.payload["statusCode"] == 201
    assert json.loads(entry.response_body) == {"ok": True}
    assert entry.query == "x=1"


def test_authorizer_calls_are_told_apart_from_the_integration(tmp_path):
    deployment = deployment_from_sam(
        tmp_path, (TEMPLATES / "gateway_auth.yaml").read_text(), params={"UserPoolArn": "arn:pool"}
    )
    log = RequestLog()
    fns = FakeFunctions(AuthorizerFunction=_allow, TodosFunction=lambda event: {"statusCode": 200, "body": "{}"})
    gw = make_gateway(deployment, fns, requests=log)

    gw.handle(request("GET", f"/{SECURE}/v1/token/x", headers={"X-Token": "tok-1"}))

    [entry] = log.entries()
    assert [(c.function, c.role) for c in entry.invocations] == [
        (ARN + "AuthorizerFunction", "authorizer"),
        (ARN + "TodosFunction", "integration"),
    ]
    assert entry.function == ARN + "TodosFunction"


def test_a_refused_request_names_no_function_and_unknown_apis_are_logged_too(tmp_path):
    deployment = deployment_from_sam(tmp_path, (TEMPLATES / "gateway_rest.yaml").read_text())
    log = RequestLog()
    gw = make_gateway(deployment, FakeFunctions(), requests=log)

    gw.handle(request("DELETE", f"/{REST}/v1/nowhere"))
    gw.handle(request("GET", "/nope/v1/items"))

    refused, unknown = log.entries()
    assert (refused.status, refused.function, refused.api) == (403, "", "ItemsApi")
    assert (unknown.status, unknown.api) == (404, "")


def test_the_log_is_bounded_and_cuts_large_bodies():
    log = RequestLog(size=3)
    for n in range(5):
        exchange = log.open(f"r{n}", "POST", "/x", "", [], b"a" * (MAX_BODY + 10))
        note_call("Fn", "integration", {"body": "b" * (MAX_BODY + 10)}, InvokeResult("lambda-1"))
        log.close(exchange, HttpResponse(200, [], bytes([0xFF]) * 10))

    entries = log.entries()
    assert [e.id for e in entries] == ["r2", "r3", "r4"]
    assert len(entries[0].request_body) < MAX_BODY + 100 and "cut at" in entries[0].request_body
    assert "cut at" in entries[0].invocations[0].event["body"]
    assert entries[0].response_body.startswith("base64:")
    assert log.find("r3") is entries[1] and log.find("r0") is None


def test_listeners_see_each_request_and_calls_outside_a_request_are_ignored():
    log = RequestLog()
    seen = []
    log.subscribe(seen.append)
    note_call("Fn", "integration", {}, InvokeResult("x"))  # no request open: nothing to attach to

    exchange = log.open("r1", "GET", "/", "", [], b"")
    log.close(exchange, HttpResponse(204))

    assert seen == [exchange] and exchange.invocations == []
