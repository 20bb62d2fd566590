"""AWS_IAM (SigV4) methods in the gateway: signature, credential scope, time, then execute-api:Invoke under
the caller's role policies, evaluated by the front's policy engine through `Principals`."""

from __future__ import annotations

import json
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud.front.identity import Session
from localcloud.front.principals import Principals
from localcloud.model import ACCOUNT_ID
from tests.localcloud.fixtures.gateway.support import FakeFunctions, api_id, deployment_from_sam, make_gateway, request

REST = api_id("Api")
HTTP = api_id("Http")
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/readers"
POOL = "us-east-1:0000aaaa-0000-0000-0000-000000000000"
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool"

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: test
      Auth: {DefaultAuthorizer: AWS_IAM}
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: test
      Auth: {EnableIamAuthorizer: true, DefaultAuthorizer: AWS_IAM}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.13
      CodeUri: s3://bucket/key
      Events:
        Posts: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /posts, Method: GET}}
        Submit: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /posts, Method: POST}}
        Mine: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/users/{id}", Method: GET}}
        Open: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /open, Method: GET, Auth: {Authorizer: NONE}}}
        HttpPosts: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /posts, Method: GET}}
"""


class Sessions:
    """The identity side `Principals` reads: issued sessions by access key."""

    def __init__(self):
        self.by_key: dict[str, Session] = {}

    def issue(self, key: str, identity_id: str, expires_at: float | None = None) -> Credentials:
        now = time.time()
        self.by_key[key] = Session(
            access_key=key,
            secret_key=f"secret-{key}",
            session_token=f"token-{key}",
            identity_id=identity_id,
            pool_id=POOL,
            role_arn=ROLE,
            role_id="AROAREADERS",
            issued_at=now,
            expires_at=expires_at if expires_at is not None else now + 3600,
            amr=["authenticated", USER_POOL, f"{USER_POOL}:CognitoSignIn:sub-1"],
        )
        return Credentials(key, f"secret-{key}", f"token-{key}")

    def session(self, key: str) -> Session | None:
        return self.by_key.get(key)


class RolePolicies:
    def __init__(self, documents: list[dict]):
        self.documents = documents

    def role_policies(self, role_arn: str) -> list[tuple[str, dict]]:
        assert role_arn == ROLE
        return [(f"readers/policy{i}", d) for i, d in enumerate(self.documents)]


def arn(path: str, api: str = REST) -> str:
    return f"arn:aws:execute-api:us-east-1:{ACCOUNT_ID}:{api}/test/{path}"


POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": [arn("GET/posts"), arn("*", HTTP)]},
        {
            "Effect": "Allow",
            "Action": "execute-api:*",
            "Resource": arn("GET/users/${cognito-identity.amazonaws.com:sub}"),
        },
    ],
}


@pytest.fixture
def sessions():
    return Sessions()


@pytest.fixture
def fns():
    return FakeFunctions(Fn=lambda e: {"statusCode": 200, "body": json.dumps(e["requestContext"])})


@pytest.fixture
def deployment(tmp_path):
    return deployment_from_sam(tmp_path, TEMPLATE)


@pytest.fixture
def principals(sessions):
    return Principals(sessions, RolePolicies([POLICY]), account_id=ACCOUNT_ID, clock=time.time)


@pytest.fixture
def gw(deployment, fns, principals):
    return make_gateway(deployment, fns, principals=principals)


def send(gw, method, path, creds=None, *, body=b"", api=REST, region="us-east-1", service="execute-api", after=None):
    """Sign (when `creds`) as botocore does for http://127.0.0.1:9999, then hand the request to the gateway."""
    url = f"http://127.0.0.1:9999/{api}/test{path}"
    signing = AWSRequest(method=method, url=url, data=body)
    if creds is not None:
        SigV4Auth(creds, service, region).add_auth(signing)
    headers = dict(signing.headers)
    if after:
        after(headers)
    raw_path, _, query = path.partition("?")
    return gw.handle(request(method, f"/{api}/test{raw_path}", query=query, headers=headers, body=body))


def message(resp) -> str:
    return json.loads(resp.body)["message"]


ADMIN = Credentials("testing", "testing")


def test_admin_credentials_invoke_any_method_as_the_root(gw, fns):
    resp = send(gw, "GET", "/posts", ADMIN)
    assert resp.status == 200, resp.body
    identity = fns.last()["requestContext"]["identity"]
    assert identity["accessKey"] == "testing"
    assert identity["accountId"] == ACCOUNT_ID
    assert identity["caller"] == identity["user"] == ACCOUNT_ID
    assert identity["userArn"] == f"arn:aws:iam::{ACCOUNT_ID}:root"
    assert identity["cognitoIdentityId"] is None
    assert identity["sourceIp"] == "10.1.2.3"


def test_identity_credentials_get_cognito_identity_fields(gw, fns, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1")
    resp = send(gw, "GET", "/posts?page=2", creds)
    assert resp.status == 200, resp.body
    identity = fns.last()["requestContext"]["identity"]
    assert identity["cognitoIdentityId"] == "us-east-1:identity-1"
    assert identity["cognitoIdentityPoolId"] == POOL
    assert identity["cognitoAuthenticationType"] == "authenticated"
    assert identity["cognitoAuthenticationProvider"] == f"{USER_POOL},{USER_POOL}:CognitoSignIn:sub-1"
    assert identity["caller"] == identity["user"] == "AROAREADERS:CognitoIdentityCredentials"
    assert identity["userArn"] == f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/readers/CognitoIdentityCredentials"


def test_the_role_policy_decides_per_method(gw, fns, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1")
    resp = send(gw, "POST", "/posts", creds, body=b'{"title": "x"}')
    assert resp.status == 403
    assert message(resp) == (
        f"User: arn:aws:sts::{ACCOUNT_ID}:assumed-role/readers/CognitoIdentityCredentials is not authorized to "
        f"perform: execute-api:Invoke on resource: {arn('POST/posts')}"
    )
    assert fns.count("Fn") == 0


def test_policy_variables_are_substituted_with_the_identity_id(gw, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "identity-1")
    assert send(gw, "GET", "/users/identity-1", creds).status == 200
    assert send(gw, "GET", "/users/identity-2", creds).status == 403


def test_an_explicit_deny_wins(deployment, fns, sessions):
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": arn("GET/*")}]}
    principals = Principals(sessions, RolePolicies([POLICY, deny]), account_id=ACCOUNT_ID, clock=time.time)
    gw = make_gateway(deployment, fns, principals=principals)
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1")
    assert send(gw, "GET", "/posts", creds).status == 403


def test_unsigned_requests_miss_the_token(gw, fns):
    resp = send(gw, "GET", "/posts")
    assert resp.status == 403
    assert message(resp) == "Missing Authentication Token"
    assert fns.count("Fn") == 0


def test_methods_without_iam_need_no_signature(gw):
    assert send(gw, "GET", "/open").status == 200


@pytest.mark.parametrize(
    ("creds", "expected"),
    [
        (Credentials("AKIANOTKNOWN00000000", "whatever"), "The security token included in the request is invalid."),
        (Credentials("testing", "not-the-secret"), "The request signature we calculated does not match"),
    ],
)
def test_unknown_keys_and_wrong_secrets(gw, fns, creds, expected):
    resp = send(gw, "GET", "/posts", creds)
    assert resp.status == 403
    assert message(resp).startswith(expected)
    assert fns.count("Fn") == 0


def test_a_session_needs_its_own_token(gw, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1")
    resp = send(gw, "GET", "/posts", Credentials(creds.access_key, creds.secret_key))
    assert resp.status == 403
    assert message(resp) == "The security token included in the request is invalid."


def test_expired_credentials(gw, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1", expires_at=time.time() - 1)
    resp = send(gw, "GET", "/posts", creds)
    assert resp.status == 403
    assert message(resp) == "The security token included in the request is expired"


def test_tampering_after_signing_breaks_the_signature(gw, fns):
    def tamper(headers):
        headers["Authorization"] = headers["Authorization"][:-1] + ("0" if headers["Authorization"][-1] != "0" else "1")

    resp = send(gw, "GET", "/posts", ADMIN, after=tamper)
    assert resp.status == 403
    assert message(resp).startswith("The request signature we calculated does not match")
    assert fns.count("Fn") == 0


def test_a_changed_body_breaks_the_signature(deployment, fns, principals):
    gw = make_gateway(deployment, fns, principals=principals)
    url = f"http://127.0.0.1:9999/{REST}/test/posts"
    signing = AWSRequest(method="POST", url=url, data=b'{"title": "signed"}')
    SigV4Auth(ADMIN, "execute-api", "us-east-1").add_auth(signing)
    resp = gw.handle(request("POST", f"/{REST}/test/posts", headers=dict(signing.headers), body=b'{"title": "evil"}'))
    assert resp.status == 403
    assert fns.count("Fn") == 0


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"service": "s3"}, "Credential should be scoped to correct service: 'execute-api'. "),
        ({"region": "eu-west-1"}, "Credential should be scoped to a valid region. "),
    ],
)
def test_the_credential_scope_must_be_execute_api_in_the_region(gw, kwargs, expected):
    resp = send(gw, "GET", "/posts", ADMIN, **kwargs)
    assert resp.status == 403
    assert message(resp) == expected


def test_a_signature_more_than_15_minutes_old_has_expired(deployment, fns, principals):
    gw = make_gateway(deployment, fns, principals=principals, clock=lambda: time.time() + 16 * 60)
    resp = send(gw, "GET", "/posts", ADMIN)
    assert resp.status == 403
    assert message(resp).startswith("Signature expired: ")


def test_a_non_sigv4_authorization_header_is_refused(gw):
    resp = send(gw, "GET", "/posts", after=lambda h: h.update(Authorization="Bearer abc"))
    assert resp.status == 403
    assert "requires 'Credential' parameter" in message(resp)


def test_without_principals_iam_methods_fail_closed(deployment, fns):
    gw = make_gateway(deployment, fns)
    assert send(gw, "GET", "/posts").status == 403
    resp = send(gw, "GET", "/posts", ADMIN)
    assert resp.status == 403
    assert message(resp) == "The security token included in the request is invalid."
    assert fns.count("Fn") == 0
    assert send(gw, "GET", "/open").status == 200


def test_http_api_routes_hand_the_caller_as_the_iam_authorizer(gw, fns, sessions):
    creds = sessions.issue("ASIAREADER0000000001", "us-east-1:identity-1")
    resp = send(gw, "GET", "/posts", creds, api=HTTP)
    assert resp.status == 200, resp.body
    iam = fns.last()["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == creds.access_key
    assert iam["accountId"] == ACCOUNT_ID
    assert iam["userId"] == iam["callerId"] == "AROAREADERS:CognitoIdentityCredentials"
    assert iam["cognitoIdentity"] == {
        "amr": ["authenticated", USER_POOL, f"{USER_POOL}:CognitoSignIn:sub-1"],
        "identityId": "us-east-1:identity-1",
        "identityPoolId": POOL,
    }
    unsigned = send(gw, "GET", "/posts", api=HTTP)
    assert unsigned.status == 403
    assert message(unsigned) == "Forbidden"
