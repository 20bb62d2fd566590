"""Shared setup for the AwsFront tests: the endpoint's own server running AwsFront(moto) on an ephemeral
port, as localcloud serves it, and a Cognito user pool + identity pool + authenticated role like the
identity stack's."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import boto3
import moto.server
import pytest

from localcloud.front import AwsFront
from localcloud.front.dispatch import MotoDispatch
from localcloud.front.server import serve_wsgi
from localcloud.model import EventLog

REGION = "us-east-1"
ACCOUNT = "123456789012"
PASSWORD = "Correct-Horse-42"


@dataclass
class FrontServer:
    url: str
    front: AwsFront
    events: EventLog
    server: object

    clients: dict = field(default_factory=dict)

    def aws(self, service: str):
        """An admin client (the fake `testing` credentials functions and tests use)."""
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=REGION,
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return self.clients[service]

    def user_client(self, service: str, creds: dict, **kwargs):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretKey"],
            aws_session_token=creds["SessionToken"],
            **kwargs,
        )


def start_front() -> FrontServer:
    events = EventLog()
    holder: dict[str, str] = {}

    def aws(service: str):
        return boto3.client(
            service,
            endpoint_url=holder["url"],
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    app = MotoDispatch(moto.server.DomainDispatcherApplication(moto.server.create_backend_app))
    front = AwsFront(app, region=REGION, account_id=ACCOUNT, events=events, aws=aws)
    server = serve_wsgi(front, "127.0.0.1", 0)
    holder["url"] = server.url
    return FrontServer(holder["url"], front, events, server)


@pytest.fixture(scope="module")
def served():
    running = start_front()
    yield running
    running.server.close()


@dataclass
class Identity:
    pool_id: str  # the user pool
    client_id: str
    provider: str
    identity_pool_id: str
    role_name: str
    role_arn: str
    bucket: str
    users: dict[str, str] = field(default_factory=dict)  # email -> id token


def user_folder_policy(bucket: str) -> dict:
    """The todos service's UserFolderPolicy, for `bucket`."""
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "OwnFolderObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": f"{arn}/private/${{cognito-identity.amazonaws.com:sub}}/*",
            },
            {
                "Sid": "ListOwnFolderOnly",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": arn,
                "Condition": {
                    "StringLike": {
                        "s3:prefix": [
                            "private/${cognito-identity.amazonaws.com:sub}/",
                            "private/${cognito-identity.amazonaws.com:sub}/*",
                        ]
                    }
                },
            },
        ],
    }


def secure_transport_policy(bucket: str) -> dict:
    """The todos FilesBucketPolicy: deny everyone over plain HTTP."""
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def make_identity_stack(served: FrontServer, allow_unauthenticated: bool = False) -> Identity:
    """What the identity and todos stacks provision: user pool, app client, identity pool with its
    authenticated role carrying the user-folder policy, and the files bucket with its policy."""
    suffix = uuid.uuid4().hex[:8]
    idp = served.aws("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=f"users-{suffix}", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    )["UserPoolClient"]["ClientId"]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    identity = served.aws("cognito-identity")
    identity_pool_id = identity.create_identity_pool(
        IdentityPoolName=f"identities_{suffix}",
        AllowUnauthenticatedIdentities=allow_unauthenticated,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": client_id, "ServerSideTokenCheck": True}],
    )["IdentityPoolId"]
    iam = served.aws("iam")
    role_name = f"authenticated-{suffix}"
    role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps({"Statement": []}))["Role"][
        "Arn"
    ]
    identity.set_identity_pool_roles(IdentityPoolId=identity_pool_id, Roles={"authenticated": role_arn})
    bucket = f"files-{suffix}"
    s3 = served.aws("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(secure_transport_policy(bucket)))
    iam.put_role_policy(
        RoleName=role_name, PolicyName="user-folder", PolicyDocument=json.dumps(user_folder_policy(bucket))
    )
    return Identity(pool_id, client_id, provider, identity_pool_id, role_name, role_arn, bucket)


def sign_in(served: FrontServer, stack: Identity, email: str, client_id: str | None = None) -> str:
    """A user pool id token for `email` (the user is created on first use)."""
    idp = served.aws("cognito-idp")
    if email not in stack.users:
        idp.admin_create_user(UserPoolId=stack.pool_id, Username=email, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=stack.pool_id, Username=email, Password=PASSWORD, Permanent=True)
        stack.users[email] = email
    result = idp.initiate_auth(
        ClientId=client_id or stack.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result["IdToken"]


def credentials_for(served: FrontServer, stack: Identity, email: str) -> tuple[str, dict]:
    """(identity id, temporary credentials) for a signed-in user, as the Amplify/SDK flow gets them."""
    logins = {stack.provider: sign_in(served, stack, email)}
    identity = served.aws("cognito-identity")
    identity_id = identity.get_id(IdentityPoolId=stack.identity_pool_id, Logins=logins)["IdentityId"]
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    return identity_id, creds
