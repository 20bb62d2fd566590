"""AWS_IAM methods end to end: requests SigV4-signed for execute-api with the admin credentials or with
identity-pool credentials whose role may invoke GET /posts only; unsigned and tampered requests get 403
and never reach the function, which sees who called in requestContext.identity."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "iam_auth" / "template.yaml"
ADMIN = Credentials("testing", "testing")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "iam-auth")


@pytest.fixture
def api(cloud):
    yield cloud
    cloud.reset()


def signed(cloud: LocalCloudProcess, url: str, credentials: Credentials | None, **overrides) -> requests.Response:
    request = AWSRequest(method="GET", url=url)
    if credentials is not None:
        SigV4Auth(credentials, "execute-api", cloud.endpoints["region"]).add_auth(request)
    headers = {**dict(request.headers), **overrides}
    return cloud.http.get(url, headers=headers, timeout=30)


def identity(cloud: LocalCloudProcess, user: str) -> tuple[str, Credentials]:
    identity_id, creds = cloud.identity_credentials(user)
    return identity_id, Credentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"])


def invocations(cloud: LocalCloudProcess) -> list[dict]:
    response = cloud.http.get(f"{cloud.base}/_local/api/logs/Echo", timeout=30)
    response.raise_for_status()
    return response.json()


def test_admin_credentials_are_the_accounts_root(api):
    response = signed(api, api.api_url("Api") + "/drafts", ADMIN)
    assert response.status_code == 200, response.text
    seen = response.json()["identity"]
    assert seen["accessKey"] == "testing"
    assert seen["userArn"] == f"arn:aws:iam::{seen['accountId']}:root"
    assert seen["cognitoIdentityId"] is None


def test_identity_credentials_reach_the_allowed_route_with_their_identity(api):
    identity_id, creds = identity(api, "reader")
    response = signed(api, api.api_url("Api") + "/posts", creds)
    assert response.status_code == 200, response.text
    seen = response.json()["identity"]
    assert seen["cognitoIdentityId"] == identity_id
    assert seen["cognitoIdentityPoolId"] == api.endpoints["cognito"]["identityPoolId"]
    assert seen["cognitoAuthenticationType"] == "authenticated"
    pool = api.endpoints["cognito"]["userPoolId"]
    assert seen["cognitoAuthenticationProvider"].startswith(f"cognito-idp.us-east-1.amazonaws.com/{pool},")
    assert seen["accessKey"] == creds.access_key
    assert seen["userArn"].endswith("/CognitoIdentityCredentials")
    assert seen["caller"].endswith(":CognitoIdentityCredentials")
    assert invocations(api), "the function ran, so its logs are not empty"


def test_identity_credentials_are_denied_where_the_role_grants_nothing(api):
    _, creds = identity(api, "reader")
    response = signed(api, api.api_url("Api") + "/drafts", creds)
    assert response.status_code == 403
    message = response.json()["message"]
    assert "is not authorized to perform: execute-api:Invoke" in message
    assert message.endswith("/test/GET/drafts")
    assert invocations(api) == []


def test_unsigned_requests_are_missing_a_token(api):
    response = signed(api, api.api_url("Api") + "/posts", None)
    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert invocations(api) == []


def test_a_tampered_signature_is_refused(api):
    _, creds = identity(api, "reader")
    request = AWSRequest(method="GET", url=api.api_url("Api") + "/posts")
    SigV4Auth(creds, "execute-api", "us-east-1").add_auth(request)
    authorization = request.headers["Authorization"]
    forged = authorization[:-4] + ("0000" if not authorization.endswith("0000") else "1111")
    response = signed(api, api.api_url("Api") + "/posts", None, **{**dict(request.headers), "Authorization": forged})
    assert response.status_code == 403
    assert response.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided"
    )
    assert invocations(api) == []


def test_an_unknown_access_key_is_an_invalid_token(api):
    response = signed(api, api.api_url("Api") + "/posts", Credentials("AKIAUNKNOWNKEY000000", "secret"))
    assert response.status_code == 403
    assert response.json() == {"message": "The security token included in the request is invalid."}


def test_a_public_method_of_the_same_api_needs_no_signature(api):
    assert signed(api, api.api_url("Api") + "/public", None).status_code == 200


def test_http_api_iam_route_hands_the_caller_to_the_function(api):
    _, creds = identity(api, "reader")
    assert signed(api, api.api_url("HttpApi") + "/posts", None).status_code == 403
    response = signed(api, api.api_url("HttpApi") + "/posts", ADMIN)
    assert response.status_code == 200, response.text
    assert response.json()["authorizer"]["iam"]["userArn"].endswith(":root")
    # the role's policy names the REST API only, so the HTTP API route is not the identity's to invoke
    assert signed(api, api.api_url("HttpApi") + "/posts", creds).status_code == 403
