"""The front's Cognito Identity: stable identities from verified id tokens, credentials per identity."""

from __future__ import annotations

import re
import time

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.localcloud.test_front_support import (
    credentials_for,
    make_identity_stack,
    served,  # noqa: F401 - fixture
    sign_in,
)


@pytest.fixture
def stack(served):  # noqa: F811
    yield make_identity_stack(served)
    served.front.clock = time.time


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_get_id_is_stable_per_user_and_pool(served, stack):  # noqa: F811
    identity = served.aws("cognito-identity")
    first = identity.get_id(
        IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: sign_in(served, stack, "ann@example.com")}
    )["IdentityId"]
    again = identity.get_id(
        IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: sign_in(served, stack, "ann@example.com")}
    )["IdentityId"]
    other = identity.get_id(
        IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: sign_in(served, stack, "bob@example.com")}
    )["IdentityId"]

    assert first == again
    assert first != other
    assert re.fullmatch(r"us-east-1:[0-9a-f-]{36}", first)


def test_identity_survives_reset_but_credentials_do_not(served, stack):  # noqa: F811
    identity_id, creds = credentials_for(served, stack, "ann@example.com")
    served.front.reset()

    again, _ = credentials_for(served, stack, "ann@example.com")
    assert again == identity_id
    with pytest.raises(ClientError) as excinfo:
        served.user_client("s3", creds).list_objects_v2(Bucket=stack.bucket, Prefix=f"private/{identity_id}/")
    assert error_code(excinfo) == "InvalidAccessKeyId"


def test_unauthenticated_get_id_is_refused_when_the_pool_disallows_it(served, stack):  # noqa: F811
    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id)
    assert error_code(excinfo) == "NotAuthorizedException"


def test_token_of_a_client_not_configured_on_the_pool_is_refused(served, stack):  # noqa: F811
    other_client = served.aws("cognito-idp").create_user_pool_client(
        UserPoolId=stack.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    token = sign_in(served, stack, "ann@example.com", client_id=other_client)

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: token})
    assert error_code(excinfo) == "NotAuthorizedException"
    assert "audience" in excinfo.value.response["Error"]["Message"]


def test_token_signed_with_another_key_is_refused(served, stack):  # noqa: F811
    genuine = jwt.decode(sign_in(served, stack, "ann@example.com"), options={"verify_signature": False})
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(genuine, forged_key, algorithm="RS256", headers={"kid": "dummy"})

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: forged})
    assert error_code(excinfo) == "NotAuthorizedException"


def test_expired_token_is_refused(served, stack):  # noqa: F811
    token = sign_in(served, stack, "ann@example.com")
    served.front.clock = lambda: time.time() + 2 * 3600

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: token})
    assert error_code(excinfo) == "NotAuthorizedException"
    assert "expired" in excinfo.value.response["Error"]["Message"]


def test_access_token_is_not_an_id_token(served, stack):  # noqa: F811
    sign_in(served, stack, "ann@example.com")
    access = served.aws("cognito-idp").initiate_auth(
        ClientId=stack.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann@example.com", "PASSWORD": "Correct-Horse-42"},
    )["AuthenticationResult"]["AccessToken"]

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: access})
    assert error_code(excinfo) == "NotAuthorizedException"


def test_token_for_a_provider_the_pool_does_not_trust_is_refused(served, stack):  # noqa: F811
    other = make_identity_stack(served)
    token = sign_in(served, other, "ann@example.com")

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={other.provider: token})
    assert error_code(excinfo) == "NotAuthorizedException"


def test_credentials_are_fresh_and_scoped_to_the_identity(served, stack):  # noqa: F811
    _, first = credentials_for(served, stack, "ann@example.com")
    _, second = credentials_for(served, stack, "ann@example.com")

    assert first["AccessKeyId"].startswith("ASIA") and len(first["AccessKeyId"]) == 20
    assert first["AccessKeyId"] != second["AccessKeyId"]
    assert first["SecretKey"] != second["SecretKey"]
    assert first["Expiration"].timestamp() > time.time() + 3000
    caller = served.user_client("sts", first).get_caller_identity()
    assert caller["Arn"] == f"arn:aws:sts::123456789012:assumed-role/{stack.role_name}/CognitoIdentityCredentials"


def test_credentials_need_the_identitys_own_logins(served, stack):  # noqa: F811
    ann_id, _ = credentials_for(served, stack, "ann@example.com")
    bob_logins = {stack.provider: sign_in(served, stack, "bob@example.com")}
    identity = served.aws("cognito-identity")

    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(IdentityId=ann_id, Logins=bob_logins)
    assert error_code(excinfo) == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(IdentityId=ann_id)
    assert error_code(excinfo) == "NotAuthorizedException"
    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(IdentityId="us-east-1:00000000-0000-0000-0000-000000000000")
    assert error_code(excinfo) == "ResourceNotFoundException"


def test_pool_without_roles_cannot_issue_credentials(served, stack):  # noqa: F811
    identity = served.aws("cognito-identity")
    identity.set_identity_pool_roles(IdentityPoolId=stack.identity_pool_id, Roles={})
    logins = {stack.provider: sign_in(served, stack, "ann@example.com")}
    identity_id = identity.get_id(IdentityPoolId=stack.identity_pool_id, Logins=logins)["IdentityId"]

    with pytest.raises(ClientError) as excinfo:
        identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert error_code(excinfo) == "InvalidIdentityPoolConfigurationException"


def test_identity_pool_roles_round_trip(served, stack):  # noqa: F811
    roles = served.aws("cognito-identity").get_identity_pool_roles(IdentityPoolId=stack.identity_pool_id)

    assert roles["IdentityPoolId"] == stack.identity_pool_id
    assert roles["Roles"] == {"authenticated": stack.role_arn}
    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_identity_pool_roles(IdentityPoolId="us-east-1:missing")
    assert error_code(excinfo) == "ResourceNotFoundException"
