"""AWS_IAM methods (security scheme `x-amazon-apigateway-authtype: awsSigv4`), checked as API Gateway does:
a SigV4 signature for `execute-api` in the deployment's region, made with credentials localcloud knows,
then `execute-api:Invoke` on the method ARN under the caller's policies.

Credentials, signatures and policies are the AWS front's (`localcloud.front.principals.Principals`), so
a key, a signature or a policy means the same at the gateway as at the AWS endpoint. Without that lookup
every AWS_IAM method is refused: failing closed, never open.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from typing import TYPE_CHECKING, Any

from localcloud.front import sigv4
from localcloud.front.principals import Caller, Rejected
from localcloud.gateway.events import RequestInfo
from localcloud.gateway.pipeline import Refused
from localcloud.model import HttpRequest

if TYPE_CHECKING:
    from localcloud.front.principals import Principals

SERVICE = "execute-api"
ACTION = "execute-api:Invoke"
MAX_SKEW = 15 * 60
INVALID_TOKEN = "The security token included in the request is invalid."  # noqa: S105 (a message)
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
INCOMPLETE = (
    "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
    "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either "
    "a 'X-Amz-Date' or a 'Date' header."
)
_REJECTIONS = {
    "unknown_key": ("INVALID_SIGNATURE", INVALID_TOKEN),
    "bad_token": ("INVALID_SIGNATURE", INVALID_TOKEN),
    "bad_signature": ("INVALID_SIGNATURE", BAD_SIGNATURE),
    "expired": ("EXPIRED_TOKEN", "The security token included in the request is expired"),
    "denied": ("ACCESS_DENIED", "Request has expired"),
}


class IamAuth:
    def __init__(self, principals: Principals | None, region: str, *, service: str = SERVICE, action: str = ACTION):
        """`service` is the signing name requests must be scoped to and `action` what the caller's policies
        must allow (a Function URL's are `lambda` and `lambda:InvokeFunctionUrl`)."""
        self.principals = principals
        self.region = region
        self.service = service
        self.action = action

    def check(self, info: RequestInfo, method_arn: str) -> Caller:
        """The caller allowed to invoke `method_arn` (the resource `action` applies to), or Refused (403 in
        every case, as API Gateway)."""
        environ = wsgi_environ(info.req)
        credential = sigv4.parse_credential(environ)
        if credential is None:
            if info.header("authorization"):
                raise Refused("INVALID_SIGNATURE", "the Authorization header is not a SigV4 signature", INCOMPLETE)
            raise Refused("MISSING_AUTHENTICATION_TOKEN", "AWS_IAM method: the request is not signed")
        if credential.version != 4:
            raise Refused("INVALID_SIGNATURE", f"{self.service} takes SigV4 signatures only", INCOMPLETE)
        if credential.service != self.service:
            message = f"Credential should be scoped to correct service: '{self.service}'. "
            raise Refused("INVALID_SIGNATURE", f"signed for service {credential.service!r}", message)
        if credential.region != self.region:
            message = "Credential should be scoped to a valid region. "
            raise Refused("INVALID_SIGNATURE", f"signed for region {credential.region!r}, not {self.region}", message)
        self._check_time(environ, credential, info.now)
        self._check_payload(info.req)
        if self.principals is None:
            raise Refused(
                "INVALID_SIGNATURE",
                "no credential lookup was given (Gateway(principals=...)): AWS_IAM methods refuse every request",
                INVALID_TOKEN,
            )
        try:
            caller = self.principals.authenticate(environ, credential, info.req.body)
        except Rejected as rejected:
            kind, message = _REJECTIONS.get(rejected.code, ("INVALID_SIGNATURE", INVALID_TOKEN))
            raise Refused(kind, f"key {credential.access_key}: {rejected.message}", message) from None
        decision = self.principals.authorize(caller, self.action, method_arn, environ, self.region)
        if not decision.allowed:
            raise Refused(
                "ACCESS_DENIED",
                f"{caller.arn}: {decision.reason}",
                f"User: {caller.arn} is not authorized to perform: {self.action} on resource: {method_arn}",
            )
        return caller

    @staticmethod
    def _check_time(environ: dict, credential: sigv4.Credential, now: float) -> None:
        if credential.presigned:
            if sigv4.presigned_expired(sigv4.parse_query(environ.get("QUERY_STRING", "")), now):
                raise Refused("ACCESS_DENIED", "the presigned request has expired", "Request has expired")
            return
        stamp = environ.get("HTTP_X_AMZ_DATE", "")
        try:
            signed_at = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise Refused("INVALID_SIGNATURE", f"X-Amz-Date {stamp!r} is not a SigV4 timestamp", INCOMPLETE) from None
        if abs(now - signed_at) > MAX_SKEW:
            current = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
            message = f"Signature expired: {stamp} is now earlier than {current} - 15 min."
            if signed_at > now:
                message = f"Signature not yet current: {stamp} is still later than {current} + 15 min."
            raise Refused("INVALID_SIGNATURE", "the signature's time is more than 15 minutes off", message)

    @staticmethod
    def _check_payload(req: HttpRequest) -> None:
        """A declared payload hash must be the body's: the signature covers the hash, not the body."""
        declared = req.header("x-amz-content-sha256")
        if declared and declared != sigv4.UNSIGNED_PAYLOAD and declared != hashlib.sha256(req.body).hexdigest():
            raise Refused("INVALID_SIGNATURE", "x-amz-content-sha256 is not the body's hash", BAD_SIGNATURE)


def wsgi_environ(req: HttpRequest) -> dict[str, Any]:
    """The request as the WSGI environ the front's SigV4 code reads (raw target, HTTP_* headers)."""
    raw = req.path + (f"?{req.query}" if req.query else "")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": req.method.upper(),
        "RAW_URI": raw.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": req.query,
        "REMOTE_ADDR": req.client_ip,
        "wsgi.url_scheme": "http",
    }
    for name, value in req.headers:
        lowered = name.lower()
        if lowered == "content-type":
            key = "CONTENT_TYPE"
        elif lowered == "content-length":
            key = "CONTENT_LENGTH"
        else:
            key = "HTTP_" + lowered.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def rest_identity(caller: Caller) -> dict[str, Any]:
    """`requestContext.identity` fields of a SigV4-authenticated request (REST, and payload 1.0)."""
    identity: dict[str, Any] = {
        "accessKey": caller.access_key,
        "accountId": caller.account_id,
        "caller": caller.user_id,
        "user": caller.user_id,
        "userArn": caller.arn,
    }
    session = caller.session
    if session is not None:
        authenticated = bool(session.amr) and session.amr[0] == "authenticated"
        identity.update(
            cognitoIdentityId=session.identity_id,
            cognitoIdentityPoolId=session.pool_id,
            cognitoAuthenticationType="authenticated" if authenticated else "unauthenticated",
            cognitoAuthenticationProvider=",".join(session.amr[1:]) if authenticated else None,
        )
    return identity


def http_authorizer(caller: Caller) -> dict[str, Any]:
    """`requestContext.authorizer` of an HTTP API route with IAM authorization (payload 2.0)."""
    session = caller.session
    cognito = None
    if session is not None:
        cognito = {"amr": list(session.amr), "identityId": session.identity_id, "identityPoolId": session.pool_id}
    return {
        "iam": {
            "accessKey": caller.access_key,
            "accountId": caller.account_id,
            "callerId": caller.user_id,
            "cognitoIdentity": cognito,
            "principalOrgId": None,
            "userArn": caller.arn,
            "userId": caller.user_id,
        }
    }
