"""Authorizers (Cognito user pools against moto's JWKS, Lambda TOKEN/REQUEST), throttling and the stage cache."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.localcloud.fixtures.gateway.support import (
    Clock,
    FakeFunctions,
    api_id,
    deployment_from_sam,
    header,
    make_gateway,
    request,
)

TEMPLATES = Path(__file__).parent / "templates"
API = api_id("SecureApi")
PASSWORD = "Passw0rd!long"


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        os.environ.setdefault(key, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    _, port = server.get_host_and_port()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def client_factory(url):
    cache = {}

    def aws(service):
        if service not in cache:
            cache[service] = boto3.client(
                service,
                endpoint_url=url,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return cache[service]

    return aws


class Pool:
    def __init__(self, aws, name):
        idp = aws("cognito-idp")
        self.idp = idp
        self.id = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
        self.arn = f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{self.id}"
        self.client_id = idp.create_user_pool_client(
            UserPoolId=self.id, ClientName="app", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]

    def tokens(self, username, client_id=None):
        try:
            self.idp.admin_create_user(
                UserPoolId=self.id, Username=username, UserAttributes=[{"Name": "email", "Value": f"{username}@x.test"}]
            )
            self.idp.admin_set_user_password(UserPoolId=self.id, Username=username, Password=PASSWORD, Permanent=True)
        except self.idp.exceptions.UsernameExistsException:
            pass
        result = self.idp.initiate_auth(
            ClientId=client_id or self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        return result["IdToken"], result["AccessToken"]


@pytest.fixture(scope="module")
def aws(moto_url):
    return client_factory(moto_url)


@pytest.fixture(scope="module")
def pool(aws):
    return Pool(aws, "main")


@pytest.fixture(scope="module")
def other_pool(aws):
    return Pool(aws, "other")


def todos_handler(event):
    claims = (event["requestContext"].get("authorizer") or {}).get("claims") or {}
    return {"statusCode": 200, "body": json.dumps({"user": claims.get("cognito:username"), "n": time.monotonic_ns()})}


def authorizer_handler(event):
    token = event.get("authorizationToken") or (event.get("headers") or {}).get("X-Key")
    if token in ("tok-unauthorized", "unauthorized"):
        raise Exception("Unauthorized")
    effect = "Deny" if "deny" in token else "Allow"
    resource = event["methodArn"].rsplit("/", 3)[0] + "/GET/token/*" if "narrow" in token else "*"
    return {
        "principalId": f"user-{token}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
        },
        "context": {"tenant": "t1", "level": 3, "admin": True},
    }


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def wall():
    return Clock(time.time())


@pytest.fixture
def fns():
    return FakeFunctions(TodosFunction=todos_handler, AuthorizerFunction=authorizer_handler)


@pytest.fixture
def gw(tmp_path, moto_url, aws, pool, fns, clock, wall):
    deployment = deployment_from_sam(
        tmp_path, (TEMPLATES / "gateway_auth.yaml").read_text(), aws_endpoint=moto_url, params={"UserPoolArn": pool.arn}
    )
    return make_gateway(deployment, fns, aws, clock=wall, monotonic=clock)


def call(gw, method, path, token=None, **kw):
    headers = dict(kw.pop("headers", {}))
    if token:
        headers["Authorization"] = token
    return gw.handle(request(method, f"/{API}/v1{path}", headers=headers, **kw))


# Cognito ---------------------------------------------------------------------------------------------


def test_valid_id_token_reaches_the_function_with_string_claims(gw, fns, pool):
    id_token, _ = pool.tokens("alice")
    resp = call(gw, "POST", "/todos", id_token)
    assert resp.status == 200, resp.body
    claims = fns.last()["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:username"] == "alice"
    assert claims["token_use"] == "id"
    assert claims["aud"] == pool.client_id
    assert all(isinstance(v, str) for v in claims.values())
    assert claims["exp"].endswith(str(time.gmtime().tm_year)) or "UTC" in claims["exp"]


def test_bearer_prefix_is_accepted(gw, pool):
    id_token, _ = pool.tokens("alice")
    assert call(gw, "POST", "/todos", f"Bearer {id_token}").status == 200


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c", "Bearer "])
def test_missing_or_unreadable_token_is_401_with_the_template_response(gw, fns, token):
    resp = call(gw, "POST", "/todos", token)
    assert resp.status == 401
    assert json.loads(resp.body) == {"message": "Unauthorized", "code": "Unauthorized"}
    assert fns.count("TodosFunction") == 0


def test_forged_signature_is_rejected(gw, pool):
    id_token, _ = pool.tokens("alice")
    claims = jwt.decode(id_token, options={"verify_signature": False})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode({**claims, "cognito:username": "mallory"}, key, algorithm="RS256", headers={"kid": "dummy"})
    assert call(gw, "POST", "/todos", forged).status == 401


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_non_rs256_tokens_are_rejected(gw, pool, alg):
    id_token, _ = pool.tokens("alice")
    claims = jwt.decode(id_token, options={"verify_signature": False})
    if alg == "none":
        token = jwt.encode(claims, None, algorithm="none", headers={"kid": "dummy"})
    else:
        token = jwt.encode(claims, "secret-secret-secret-secret-secret!", algorithm="HS256", headers={"kid": "dummy"})
    assert call(gw, "POST", "/todos", token).status == 401


def test_expired_token_is_rejected_even_after_a_cached_success(gw, pool, wall):
    id_token, _ = pool.tokens("alice")
    assert call(gw, "POST", "/todos", id_token).status == 200
    wall.advance(3601)
    resp = call(gw, "POST", "/todos", id_token)
    assert resp.status == 401
    assert "expired" in header(resp, "x-localcloud-reason")


def test_token_of_another_pool_is_rejected(gw, other_pool):
    id_token, _ = other_pool.tokens("bob")
    resp = call(gw, "POST", "/todos", id_token)
    assert resp.status == 401
    assert "issuer" in header(resp, "x-localcloud-reason")


def test_app_client_created_after_startup_is_accepted(gw, pool, aws):
    extra = aws("cognito-idp").create_user_pool_client(
        UserPoolId=pool.id, ClientName="later", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    id_token, _ = pool.tokens("carol", client_id=extra)
    assert call(gw, "POST", "/todos", id_token).status == 200


def test_wrong_audience_is_rejected(gw, pool):
    # moto signs every pool with one key, so a token it signs for an unknown client id is validly signed
    from moto.cognitoidp.models import cognitoidp_backends

    backend = cognitoidp_backends["123456789012"]["us-east-1"]
    pool.tokens("dave")
    user_pool = backend.user_pools[pool.id]
    token, _ = user_pool.create_jwt("not-a-client-of-this-pool", "dave", "id")
    resp = call(gw, "POST", "/todos", token)
    assert resp.status == 401
    assert "audience" in header(resp, "x-localcloud-reason")


def test_access_token_is_refused_where_no_scopes_are_declared(gw, pool):
    _, access = pool.tokens("alice")
    assert call(gw, "POST", "/todos", access).status == 401


def test_scoped_method_wants_an_access_token_with_the_scope(gw, pool, fns):
    id_token, access = pool.tokens("alice")
    assert call(gw, "GET", "/admin", id_token).status == 401
    resp = call(gw, "GET", "/admin", access)
    assert resp.status == 200, resp.body
    assert fns.last()["requestContext"]["authorizer"]["claims"]["token_use"] == "access"
    assert call(gw, "GET", "/reports", access).status == 401


def test_open_method_needs_no_token(gw):
    assert call(gw, "GET", "/open").status == 200


# Lambda authorizers ----------------------------------------------------------------------------------


def test_token_authorizer_allow_passes_principal_and_context(gw, fns):
    resp = gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-1"}))
    assert resp.status == 200, resp.body
    auth_event = fns.last("AuthorizerFunction")
    assert auth_event["type"] == "TOKEN" and auth_event["authorizationToken"] == "tok-1"
    assert auth_event["methodArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{API}/v1/GET/token/a"
    authorizer = fns.last("TodosFunction")["requestContext"]["authorizer"]
    assert authorizer["principalId"] == "user-tok-1"
    assert authorizer["tenant"] == "t1" and authorizer["level"] == "3" and authorizer["admin"] == "true"


def test_token_authorizer_results_are_cached_for_the_ttl(gw, fns, clock):
    for _ in range(3):
        assert gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-1"})).status == 200
    assert fns.count("AuthorizerFunction") == 1
    clock.advance(61)
    gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-1"}))
    assert fns.count("AuthorizerFunction") == 2


def test_cached_policy_is_evaluated_against_each_method_arn(gw, fns):
    ok = gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-narrow"}))
    assert ok.status == 200
    denied = gw.handle(request("POST", f"/{API}/v1/token/a", headers={"X-Token": "tok-narrow"}))
    assert denied.status == 403
    assert fns.count("AuthorizerFunction") == 1


def test_token_authorizer_deny_missing_and_unauthorized(gw, fns):
    resp = gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-deny"}))
    assert resp.status == 403
    assert "explicit deny" in json.loads(resp.body)["message"]
    assert gw.handle(request("GET", f"/{API}/v1/token/a")).status == 401
    assert gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "does-not-match"})).status == 401
    assert gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-unauthorized"})).status == 401
    assert fns.count("TodosFunction") == 0


def test_request_authorizer_needs_every_identity_source(gw, fns):
    assert gw.handle(request("GET", f"/{API}/v1/request", headers={"X-Key": "k1"})).status == 401
    resp = gw.handle(request("GET", f"/{API}/v1/request", query="tenant=t", headers={"X-Key": "k1"}))
    assert resp.status == 200
    event = fns.last("AuthorizerFunction")
    assert event["type"] == "REQUEST" and event["headers"]["X-Key"] == "k1"
    assert event["queryStringParameters"] == {"tenant": "t"}
    assert fns.last("TodosFunction")["requestContext"]["authorizer"]["principalId"] == "user-k1"


def test_authorizer_crash_is_a_500(gw, fns):
    def crash(event):
        raise ValueError("bug")

    fns.handlers["AuthorizerFunction"] = crash
    resp = gw.handle(request("GET", f"/{API}/v1/token/a", headers={"X-Token": "tok-1"}))
    assert resp.status == 500
    assert "message" in json.loads(resp.body)


# throttling -----------------------------------------------------------------------------------------


def test_method_throttling_uses_the_specific_setting_and_the_throttled_response(gw, clock):
    statuses = [call(gw, "GET", "/limited").status for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    resp = call(gw, "GET", "/limited")
    assert json.loads(resp.body) == {"message": "Too many requests", "code": "TooManyRequests"}
    assert header(resp, "Retry-After") == "1"
    clock.advance(1.0)
    assert call(gw, "GET", "/limited").status == 200
    assert call(gw, "GET", "/limited").status == 429
    assert [call(gw, "GET", "/open").status for _ in range(50)].count(200) == 50  # "/*" allows a burst of 200


def test_reset_refills_buckets(gw):
    [call(gw, "GET", "/limited") for _ in range(3)]
    gw.reset()
    assert call(gw, "GET", "/limited").status == 200


# stage cache -----------------------------------------------------------------------------------------


def test_cache_never_shares_entries_between_users(gw, fns, pool):
    alice, _ = pool.tokens("alice")
    bob, _ = pool.tokens("bob")
    a1 = call(gw, "GET", "/todos", alice)
    b1 = call(gw, "GET", "/todos", bob)
    assert json.loads(a1.body)["user"] == "alice" and json.loads(b1.body)["user"] == "bob"
    assert call(gw, "GET", "/todos", alice).body == a1.body
    assert call(gw, "GET", "/todos", bob).body == b1.body
    assert fns.count("TodosFunction") == 2


def test_cache_key_includes_query_and_path_parameters(gw, fns, pool):
    alice, _ = pool.tokens("alice")
    call(gw, "GET", "/todos", alice, query="limit=1")
    call(gw, "GET", "/todos", alice, query="limit=2")
    call(gw, "GET", "/todos", alice, query="limit=1&other=x")  # not a cache key parameter
    call(gw, "GET", "/todos/1", alice)
    call(gw, "GET", "/todos/2", alice)
    call(gw, "GET", "/todos/1", alice)
    assert fns.count("TodosFunction") == 4


def test_cache_expires_after_the_ttl(gw, fns, pool, clock):
    alice, _ = pool.tokens("alice")
    first = call(gw, "GET", "/todos", alice)
    clock.advance(29)
    assert call(gw, "GET", "/todos", alice).body == first.body
    clock.advance(2)
    assert call(gw, "GET", "/todos", alice).body != first.body
    assert fns.count("TodosFunction") == 2


def test_only_successful_gets_are_cached(gw, fns, pool):
    alice, _ = pool.tokens("alice")
    fns.handlers["TodosFunction"] = lambda e: {"statusCode": 500, "body": "{}"}
    call(gw, "GET", "/todos", alice)
    call(gw, "GET", "/todos", alice)
    call(gw, "POST", "/todos", alice)
    call(gw, "POST", "/todos", alice)
    assert fns.count("TodosFunction") == 4


def test_unauthorized_requests_never_read_the_cache(gw, fns, pool):
    alice, _ = pool.tokens("alice")
    assert call(gw, "GET", "/todos", alice).status == 200
    assert call(gw, "GET", "/todos").status == 401


def test_no_cache_without_a_cache_cluster(tmp_path, moto_url, aws, pool, fns):
    text = (
        (TEMPLATES / "gateway_auth.yaml").read_text().replace("CacheClusterEnabled: true", "CacheClusterEnabled: false")
    )
    deployment = deployment_from_sam(tmp_path, text, aws_endpoint=moto_url, params={"UserPoolArn": pool.arn})
    gw = make_gateway(deployment, fns, aws)
    alice, _ = pool.tokens("alice")
    call(gw, "GET", "/todos", alice)
    call(gw, "GET", "/todos", alice)
    assert fns.count("TodosFunction") == 2


def test_openapi3_rest_api_enforces_its_default_authorizer(tmp_path, fns):
    """SAM writes the authorizer of an `openapi: 3` REST body under components.securitySchemes."""
    deployment = deployment_from_sam(
        tmp_path,
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: v1
              DefinitionBody:
                openapi: "3.0.1"
                info: {title: t, version: "1"}
                paths:
                  /request:
                    get:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        httpMethod: POST
                        uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/\
                          ${TodosFunction.Arn}/invocations"
              Auth:
                DefaultAuthorizer: Keys
                Authorizers:
                  Keys:
                    FunctionArn: !GetAtt AuthorizerFunction.Arn
                    FunctionPayloadType: REQUEST
                    Identity: {Headers: [X-Key], ReauthorizeEvery: 0}
          TodosFunction:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.handler, Runtime: python3.13, CodeUri: s3://bucket/key}
          AuthorizerFunction:
            Type: AWS::Serverless::Function
            Properties: {Handler: app.handler, Runtime: python3.13, CodeUri: s3://bucket/key}
        """,
    )
    gw = make_gateway(deployment, fns)
    assert gw.handle(request("GET", f"/{api_id('Api')}/v1/request")).status == 401
    assert gw.handle(request("GET", f"/{api_id('Api')}/v1/request", headers={"X-Key": "deny"})).status == 403
    assert gw.handle(request("GET", f"/{api_id('Api')}/v1/request", headers={"X-Key": "k1"})).status == 200
    assert fns.count("TodosFunction") == 1
