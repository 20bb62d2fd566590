"""Who signed a request and what their IAM policies let them do: the one lookup the AWS front and the
API gateway's AWS_IAM methods share, so credentials, signatures and policies are checked one way.

Two kinds of caller are known: the admin credentials every local client uses (the account's root,
allowed everything, as moto treats them) and the temporary credentials the local Cognito Identity
issued (an assumed-role session whose role policies decide).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import sigv4
from .identity import ROLE_SESSION_NAME, CognitoIdentity, Session
from .policy import Decision, Request, evaluate
from .role_policies import PolicyStore
from .s3_actions import virtual_host_bucket

ADMIN_CREDENTIALS = {"testing": "testing"}
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your key and signing method."
)


class Rejected(Exception):
    """The credentials were refused; `code` is one of unknown_key, expired, bad_token, denied, bad_signature."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the account's root (admin credentials) or an identity-pool session."""

    access_key: str
    account_id: str
    arn: str
    user_id: str  # "ROLEID:CognitoIdentityCredentials" for a session, the account id for the root
    session: Session | None = None

    @property
    def is_root(self) -> bool:
        return self.session is None


class Principals:
    def __init__(
        self,
        identity: CognitoIdentity,
        policies: PolicyStore,
        *,
        account_id: str,
        clock: Callable[[], float],
        admin: Mapping[str, str] = ADMIN_CREDENTIALS,
    ):
        self.identity = identity
        self.policies = policies
        self.account_id = account_id
        self.clock = clock
        self.admin = dict(admin)

    def authenticate(
        self, environ: dict, credential: sigv4.Credential, body: bytes | None, *, verify_signature: bool = True
    ) -> Caller:
        """The caller whose secret signed this request (key known, not expired, session token, signature),
        or Rejected."""
        secret = self.admin.get(credential.access_key)
        if secret is not None:
            if verify_signature and not sigv4.verify(environ, credential, secret, body):
                raise Rejected("bad_signature", BAD_SIGNATURE)
            root = f"arn:aws:iam::{self.account_id}:root"
            return Caller(credential.access_key, self.account_id, root, self.account_id)
        session = self.identity.session(credential.access_key)
        if session is None:
            raise Rejected("unknown_key", "The AWS Access Key Id you provided does not exist in our records.")
        if self.clock() >= session.expires_at:
            raise Rejected("expired", "The provided token has expired.")
        query = sigv4.parse_query(environ.get("QUERY_STRING", ""))
        token = (
            environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
            or query.get("X-Amz-Security-Token")
            or query.get("x-amz-security-token")
        )
        if token != session.session_token:
            raise Rejected("bad_token", "The security token included in the request is invalid.")
        if credential.presigned and sigv4.presigned_expired(query, self.clock()):
            raise Rejected("denied", "Request has expired")
        if verify_signature:
            bucket = virtual_host_bucket(environ.get("HTTP_HOST", "")) if credential.version == 2 else None
            if not sigv4.verify(environ, credential, session.secret_key, body, bucket):
                raise Rejected("bad_signature", BAD_SIGNATURE)
        return Caller(
            session.access_key,
            self.account_id,
            session.arn,
            f"{session.role_id}:{ROLE_SESSION_NAME}",
            session,
        )

    def context(self, environ: dict, session: Session, region: str) -> dict[str, Any]:
        """The global and Cognito condition keys of a session's request (lowercased names)."""
        now = self.clock()
        return {
            "aws:securetransport": "true" if environ.get("wsgi.url_scheme") == "https" else "false",
            "aws:currenttime": _iso(now),
            "aws:epochtime": str(int(now)),
            "aws:sourceip": environ.get("REMOTE_ADDR", "127.0.0.1"),
            "aws:useragent": environ.get("HTTP_USER_AGENT", ""),
            "aws:userid": f"{session.role_id}:{ROLE_SESSION_NAME}",
            "aws:principalarn": session.role_arn,
            "aws:principalaccount": self.account_id,
            "aws:principaltype": "AssumedRole",
            "aws:requestedregion": region,
            "aws:tokenissuetime": _iso(session.issued_at),
            "aws:multifactorauthpresent": "false",
            "aws:federatedprovider": "cognito-identity.amazonaws.com",
            "aws:viaawsservice": "false",
            "cognito-identity.amazonaws.com:sub": session.identity_id,
            "cognito-identity.amazonaws.com:aud": session.pool_id,
            "cognito-identity.amazonaws.com:amr": session.amr,
        }

    def authorize(self, caller: Caller, action: str, resource: str, environ: dict, region: str) -> Decision:
        """Whether the caller's identity policies allow `action` on `resource`; the root may do anything."""
        if caller.session is None:
            return Decision(True, "the account's root")
        context = self.context(environ, caller.session, region)
        return evaluate(Request(action, resource, context), self.policies.role_policies(caller.session.role_arn))


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
