"""HTTP API Lambda authorizers: simple responses (payload 2.0 `isAuthorized`) and IAM policy responses,
identity sources, the context handed to the integration, and the result cache keyed by identity source."""

from __future__ import annotations

import json

import pytest

from localcloud.model import ACCOUNT_ID
from tests.localcloud.fixtures.gateway.support import (
    Clock,
    FakeFunctions,
    api_id,
    deployment_from_sam,
    header,
    make_gateway,
    request,
)

API = api_id("Http")
ROUTE_ARN_PREFIX = f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{API}/prod"

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Simple
        Authorizers:
          Simple:
            FunctionArn: !GetAtt SimpleAuth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            EnableSimpleResponses: true
            Identity:
              Headers: [Authorization]
              ReauthorizeEvery: 300
          Policy:
            FunctionArn: !GetAtt PolicyAuth.Arn
            AuthorizerPayloadFormatVersion: "2.0"
            Identity:
              Headers: [Authorization]
              QueryStrings: [tenant]
              ReauthorizeEvery: 60
          Legacy:
            FunctionArn: !GetAtt PolicyAuth.Arn
            AuthorizerPayloadFormatVersion: "1.0"
            Identity:
              Headers: [Authorization]
              ReauthorizeEvery: 0
  SimpleAuth:
    Type: AWS::Serverless::Function
    Properties: {Handler: a.h, Runtime: python3.13, CodeUri: s3://b/k}
  PolicyAuth:
    Type: AWS::Serverless::Function
    Properties: {Handler: a.h, Runtime: python3.13, CodeUri: s3://b/k}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      CodeUri: s3://bucket/key
      Events:
        Me: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /me, Method: GET}}
        Also: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /also, Method: GET}}
        Reports:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: "/reports/{id}", Method: GET, Auth: {Authorizer: Policy}}
        Legacy:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: /legacy, Method: GET, PayloadFormatVersion: "1.0"}
        OldAuthorizer:
          Type: HttpApi
          Properties: {ApiId: !Ref Http, Path: "/v1/reports/{id}", Method: GET, Auth: {Authorizer: Legacy}}
"""


def simple_auth(event: dict) -> dict:
    token = event["headers"].get("authorization")
    if token == "boom":
        raise Exception("Unauthorized")
    return {"isAuthorized": token.startswith("allow"), "context": {"user": token, "tier": "gold", "n": 3}}


def policy_auth(event: dict) -> dict:
    if event["version"] == "1.0":
        token, tenant = event["authorizationToken"], event["pathParameters"]["id"].split("-")[0]
        resource = f"{ROUTE_ARN_PREFIX}/GET/v1/reports/{tenant}-*"
    else:
        token, tenant = event["identitySource"]
        resource = f"{ROUTE_ARN_PREFIX}/GET/reports/{tenant}-*"
    effect = "Allow" if token == "allow" else "Deny"
    return {
        "principalId": f"user-{token}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": {"tenant": tenant, "admin": False},
    }


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def fns():
    return FakeFunctions(
        SimpleAuth=simple_auth,
        PolicyAuth=policy_auth,
        Fn=lambda e: {"statusCode": 200, "body": json.dumps(e["requestContext"].get("authorizer"))},
    )


@pytest.fixture
def gw(tmp_path, fns, clock):
    return make_gateway(deployment_from_sam(tmp_path, TEMPLATE), fns, monotonic=clock)


def call(gw, path, token=None, query=""):
    headers = [("Authorization", token)] if token is not None else []
    return gw.handle(request("GET", f"/{API}/prod{path}", query=query, headers=headers))


def body(resp) -> dict:
    return json.loads(resp.body)


def test_simple_response_allows_and_hands_the_context_on(gw, fns):
    resp = call(gw, "/me", "allow-alice")
    assert resp.status == 200, resp.body
    assert body(resp) == {"lambda": {"user": "allow-alice", "tier": "gold", "n": 3}}


def test_the_authorizer_gets_a_v2_request_event(gw, fns):
    call(gw, "/me", "allow-alice")
    event = fns.last("SimpleAuth")
    assert event["type"] == "REQUEST"
    assert event["version"] == "2.0"
    assert event["routeArn"] == f"{ROUTE_ARN_PREFIX}/GET/me"
    assert event["identitySource"] == ["allow-alice"]
    assert event["routeKey"] == "GET /me"
    assert "body" not in event


def test_simple_response_denies_with_403(gw, fns):
    resp = call(gw, "/me", "deny-bob")
    assert resp.status == 403
    assert body(resp) == {"message": "Forbidden"}
    assert fns.count("Fn") == 0


def test_missing_identity_source_is_401_without_calling_the_authorizer(gw, fns):
    resp = call(gw, "/me")
    assert resp.status == 401
    assert body(resp) == {"message": "Unauthorized"}
    assert "identity source $request.header.Authorization is missing" in header(resp, "x-localcloud-reason")
    assert fns.count("SimpleAuth") == 0
    assert fns.count("Fn") == 0


def test_an_unauthorized_error_from_the_authorizer_is_401(gw, fns):
    resp = call(gw, "/me", "boom")
    assert resp.status == 401
    assert fns.count("Fn") == 0


def test_a_malformed_answer_is_a_500_not_an_allow(gw, fns):
    fns.handlers["SimpleAuth"] = lambda e: {"isAuthorized": "yes"}
    resp = call(gw, "/me", "allow-alice")
    assert resp.status == 500
    assert fns.count("Fn") == 0


def test_results_are_cached_by_identity_source_across_routes_until_the_ttl(gw, fns, clock):
    assert call(gw, "/me", "allow-alice").status == 200
    assert call(gw, "/also", "allow-alice").status == 200
    assert fns.count("SimpleAuth") == 1
    assert call(gw, "/me", "allow-carol").status == 200
    assert fns.count("SimpleAuth") == 2
    clock.advance(299)
    assert call(gw, "/me", "allow-alice").status == 200
    assert fns.count("SimpleAuth") == 2
    clock.advance(2)
    assert call(gw, "/me", "allow-alice").status == 200
    assert fns.count("SimpleAuth") == 3


def test_a_cached_deny_stays_a_deny(gw, fns):
    assert call(gw, "/me", "deny-bob").status == 403
    fns.handlers["SimpleAuth"] = lambda e: {"isAuthorized": True}
    assert call(gw, "/me", "deny-bob").status == 403
    assert fns.count("SimpleAuth") == 1


def test_reset_clears_the_authorizer_cache(gw, fns):
    assert call(gw, "/me", "allow-alice").status == 200
    gw.reset()
    assert call(gw, "/me", "allow-alice").status == 200
    assert fns.count("SimpleAuth") == 2


def test_policy_response_is_evaluated_against_the_route_arn(gw, fns):
    resp = call(gw, "/reports/acme-1", "allow", query="tenant=acme")
    assert resp.status == 200, resp.body
    assert body(resp) == {"lambda": {"tenant": "acme", "admin": "false"}, "principalId": "user-allow"}
    event = fns.last("PolicyAuth")
    assert event["identitySource"] == ["allow", "acme"]
    assert event["routeArn"] == f"{ROUTE_ARN_PREFIX}/GET/reports/acme-1"


def test_a_cached_policy_is_re_evaluated_for_each_route(gw, fns):
    assert call(gw, "/reports/acme-1", "allow", query="tenant=acme").status == 200
    resp = call(gw, "/reports/other-1", "allow", query="tenant=acme")
    assert resp.status == 403
    assert body(resp) == {"message": "Forbidden"}
    assert fns.count("PolicyAuth") == 1


def test_policy_deny_is_403(gw, fns):
    assert call(gw, "/reports/acme-1", "deny", query="tenant=acme").status == 403
    assert fns.count("Fn") == 0


def test_every_identity_source_is_required_and_keys_the_cache(gw, fns, clock):
    resp = call(gw, "/reports/acme-1", "allow")
    assert resp.status == 401
    assert fns.count("PolicyAuth") == 0
    assert call(gw, "/reports/acme-1", "allow", query="tenant=acme").status == 200
    assert call(gw, "/reports/beta-1", "allow", query="tenant=beta").status == 200
    assert fns.count("PolicyAuth") == 2
    clock.advance(61)
    assert call(gw, "/reports/acme-1", "allow", query="tenant=acme").status == 200
    assert fns.count("PolicyAuth") == 3


def test_payload_1_0_integrations_get_the_authorizer_context_too(gw, fns):
    resp = call(gw, "/legacy", "allow-alice")
    assert resp.status == 200, resp.body
    assert body(resp) == {"lambda": {"user": "allow-alice", "tier": "gold", "n": 3}}


def test_a_payload_1_0_authorizer_gets_a_v1_request_event(gw, fns):
    resp = call(gw, "/v1/reports/acme-1", "allow")
    assert resp.status == 200, resp.body
    event = fns.last("PolicyAuth")
    assert event["version"] == "1.0"
    assert event["type"] == "REQUEST"
    assert event["methodArn"] == f"{ROUTE_ARN_PREFIX}/GET/v1/reports/acme-1"
    assert event["identitySource"] == event["authorizationToken"] == "allow"
    assert event["resource"] == "/v1/reports/{id}"
    assert event["headers"]["Authorization"] == "allow"
    assert "body" not in event
    assert call(gw, "/v1/reports/acme-1", "deny").status == 403
