"""AwsFront: the WSGI layer in front of moto that every client and function talks to.

Requests signed with the admin credentials (or anything localcloud did not issue) go straight to moto,
after the message tap; the only work on that path is reading the Authorization header. Requests signed
with credentials issued by the local Cognito Identity are checked first: key known and not expired,
session token, signature, then the role's IAM policies (and, for S3, the bucket policy).

Bucket policies are kept here, not in moto (see bucket_policies.py), and evaluated for issued
credentials: their Deny statements apply and their Allow statements naming the role or the session
grant access, as on AWS. One deliberate difference: the local endpoint is plain HTTP on loopback,
standing in for AWS's TLS endpoint, so a Deny statement whose condition tests `aws:SecureTransport` is
skipped (set `enforce_secure_transport = True` to apply it; the key itself is always reported
truthfully, "false" over HTTP). Admin requests are never evaluated.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape, unescape

from werkzeug.test import EnvironBuilder

from localcloud.eventbridge.api import EventsApi
from localcloud.eventbridge.router import bus_exists
from localcloud.front.cognito_mail import CognitoMail
from localcloud.lambda_api.api import LambdaApi
from localcloud.model import EventLog
from localcloud.wsgi import call_wsgi

from . import errors, sigv4, taplog
from .actions import service_action
from .bucket_policies import BucketPolicies
from .identity import OPERATIONS, ROLE_SESSION_NAME, CognitoError, CognitoIdentity, Session, is_issued_key_format
from .mutations import mutates
from .policy import Principal, Request, evaluate
from .principals import Principals, Rejected
from .resource_only import EDGE_ENVIRON_KEY, ResourceCaller, anonymous_s3, edge_caller
from .role_policies import PolicyStore
from .s3_gate import S3Gate
from .s3_post_policy import PostPolicyGate, Refusal, is_post_form, refusal_response
from .wsgi_util import denied_message, read_body, request_params, respond

COGNITO_TARGET = "AWSCognitoIdentityService."
_TARGET_SERVICES = {
    "AmazonSQS": "sqs",
    "Kinesis_20131202": "kinesis",
    "Firehose_20150804": "firehose",
    "AWSEvents": "events",
}
_IAM_READS = ("Get", "List", "Simulate", "Generate")
_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
_DECIDED_HERE = (
    "AWS4-HMAC-SHA256 Credential=localcloud/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"
)
_INVALIDATION_PATH = re.compile(r"^/\d{4}-\d{2}-\d{2}/distribution/([^/]+)/invalidation/?$")
_INVALIDATION_ITEM = re.compile(r"<Path>(.*?)</Path>", re.DOTALL)


class AwsFront:
    """WSGI app wrapping moto's: local Cognito Identity, IAM enforcement for issued credentials, tap log."""

    def __init__(self, app, *, region: str, account_id: str, events: EventLog, aws: Callable[[str], Any]):
        self.cognito_mail = CognitoMail(app, read_body=read_body, clock=lambda: self.clock())
        # EventBridge's PutEvents, TestEventPattern and rule checks, then Cognito's emails and codes, around
        # moto, for whatever reaches moto
        self.events_api = EventsApi(
            self.cognito_mail, read_body=read_body, account=account_id, region=region, events=events,
            bus_exists=lambda bus: bus_exists(account_id, region, bus), clock=lambda: self.clock(),
        )  # fmt: skip
        # the Lambda API for the app's functions (moto's Lambda cannot run them), outermost: IAM has been
        # checked by the time a request reaches `self.app`
        self.lambda_api = LambdaApi(self.events_api, read_body=read_body)
        self.app = self.lambda_api
        self.region = region
        self.account_id = account_id
        self.events = events
        self.clock: Callable[[], float] = time.time
        self.verify_signatures = True
        self.enforce_secure_transport = False
        self.on_change: Callable[[], None] | None = None  # called for each request that may change data
        self.on_invalidation: Callable[[str, list[str]], Any] | None = None  # (distribution id, paths)
        clients = _ClientCache(aws)
        self.identity = CognitoIdentity(aws=clients, jwks=self._jwks, clock=lambda: self.clock())
        self.policies = PolicyStore(clients)
        self.bucket_policies = BucketPolicies(clients)
        self.s3 = S3Gate(
            self.app,
            bucket_policies=self.bucket_policies,
            policies=self.policies,
            account_id=account_id,
            waived=lambda: self._waived,
        )
        self.principals = Principals(self.identity, self.policies, account_id=account_id, clock=lambda: self.clock())
        self.post_policy = PostPolicyGate(self.principals, clock=lambda: self.clock(), authorize=self._post_form_denial)

    @property
    def credential_ttl(self) -> int:
        return self.identity.credential_ttl

    @credential_ttl.setter
    def credential_ttl(self, seconds: int) -> None:
        self.identity.credential_ttl = seconds

    def reset(self) -> None:
        """Forget identities, issued credentials and Cognito codes, and drop cached policies."""
        self.identity.reset()
        self.policies.invalidate_roles()
        self.cognito_mail.reset()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.on_change is not None and mutates(environ):
            self.on_change()
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target and target.startswith(COGNITO_TARGET) and target[len(COGNITO_TARGET) :] in OPERATIONS:
            return self._cognito(target[len(COGNITO_TARGET) :], environ, start_response)
        edge = environ.get(EDGE_ENVIRON_KEY)
        if edge is not None:
            return self.s3.for_resource_caller(environ, start_response, edge_caller(edge, self.account_id))
        credential = None
        query_string = environ.get("QUERY_STRING", "")
        if "HTTP_AUTHORIZATION" in environ or "X-Amz-Credential" in query_string or "AWSAccessKeyId" in query_string:
            credential = sigv4.parse_credential(environ)
        if credential is not None and is_issued_key_format(credential.access_key):
            return self._authorised(environ, start_response, credential)
        if credential is None and not target and is_post_form(environ, self.s3.bucket_exists):
            return self._post_form(environ, start_response)
        if credential is None and not target and anonymous_s3(environ, self.s3.bucket_exists):
            return self.s3.for_resource_caller(environ, start_response, ResourceCaller())
        if credential is not None or target:
            service = credential.service if credential else ""
            if service == "s3":
                return self.s3.forward(environ, start_response)
            self._observe(environ, service, target)
        elif environ.get("PATH_INFO", "").startswith("/moto-api/reset"):
            self.bucket_policies.forget()
            self.identity.forget_pools()
        return self.app(environ, start_response)

    def _post_form(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """S3 POST Object: the form's signed policy decides (s3_post_policy.py), then moto stores the file."""
        try:
            self.post_policy.check(environ)
        except Refusal as refusal:
            return refusal_response(refusal, start_response)
        return self.app(environ, start_response)

    def _post_form_denial(self, session: Session, bucket: str, key: str, environ: dict) -> str | None:
        context = self.principals.context(environ, session, self.region)
        decision = evaluate(
            Request("s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", context),
            self.policies.role_policies(session.role_arn),
            [(f"the bucket policy of {bucket}", doc)] if (doc := self.bucket_policies.document(bucket)) else [],
            principal=Principal(arn=session.arn, role_arn=session.role_arn, account=self.account_id),
            waived_keys=self._waived,
        )
        return None if decision.allowed else decision.reason

    def _cognito(self, operation: str, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            payload = json.loads(read_body(environ) or b"{}")
            response = errors.json_response(200, self.identity.handle(operation, payload))
        except json.JSONDecodeError:
            response = errors.json_response(400, {"__type": "SerializationException", "message": "Invalid JSON body"})
        except CognitoError as error:
            response = errors.json_response(error.status, {"__type": error.code, "message": error.message})
        return respond(start_response, response)

    def _jwks(self, user_pool_id: str) -> dict:
        """The user pool's JWKS, asked of moto in-process."""
        environ = EnvironBuilder(path=f"/{user_pool_id}/.well-known/jwks.json", method="GET").get_environ()
        status, _, body = call_wsgi(self.app, environ)
        if not status.startswith("200"):
            raise ValueError(f"JWKS of user pool {user_pool_id} unavailable: {status}")
        return json.loads(body)

    def _authorised(self, environ: dict, start_response: Callable, credential: sigv4.Credential) -> Iterable[bytes]:
        service = credential.service or "s3"
        protocol = errors.protocol_of(environ, service)
        head = environ.get("REQUEST_METHOD") == "HEAD"
        failure = self._authenticate(environ, credential)
        if isinstance(failure, tuple):
            return respond(start_response, errors.error_response(protocol, *failure, head=head))
        session = failure
        context = self._context(environ, session, credential)
        if service == "s3":
            return self.s3.for_session(environ, start_response, session, context)
        target = environ.get("HTTP_X_AMZ_TARGET")
        params = request_params(environ, protocol)
        if service == "sts" and params.get("Action") == "GetCallerIdentity":
            return respond(start_response, errors.xml_response(_caller_identity(session, self.account_id)))
        method = environ.get("REQUEST_METHOD", "GET")
        raw_path, _ = sigv4.raw_target(environ)
        wanted = service_action(
            service, method, raw_path, target, params, credential.region or self.region, self.account_id
        )
        decision = evaluate(
            Request(wanted.action, wanted.resource, context),
            self.policies.role_policies(session.role_arn),
            waived_keys=self._waived,
        )
        if not decision.allowed:
            message = denied_message(session, wanted.action, wanted.resource, decision.reason)
            return respond(start_response, errors.error_response(protocol, "denied", message, head=head))
        self._observe(environ, service, target)
        return self.app(environ, start_response)

    def _authenticate(self, environ: dict, credential: sigv4.Credential) -> Session | tuple[str, str]:
        unread = not self.verify_signatures or environ.get("HTTP_X_AMZ_CONTENT_SHA256")
        body = None if unread else read_body(environ)
        try:
            caller = self.principals.authenticate(environ, credential, body, verify_signature=self.verify_signatures)
        except Rejected as rejected:
            return rejected.code, rejected.message
        if caller.session is None:
            return "unknown_key", "The AWS Access Key Id you provided does not exist in our records."
        return caller.session

    @property
    def _waived(self) -> frozenset[str]:
        return frozenset() if self.enforce_secure_transport else frozenset({"aws:securetransport"})

    def _context(self, environ: dict, session: Session, credential: sigv4.Credential) -> dict[str, Any]:
        context = self.principals.context(environ, session, credential.region or self.region)
        if credential.service == "s3":
            context["s3:signatureversion"] = "AWS4-HMAC-SHA256" if credential.version == 4 else "AWS"
            context["s3:authtype"] = "REST-QUERY-STRING" if credential.presigned else "REST-HEADER"
            context["s3:resourceaccount"] = self.account_id
            if environ.get("HTTP_X_AMZ_CONTENT_SHA256"):
                context["s3:x-amz-content-sha256"] = environ["HTTP_X_AMZ_CONTENT_SHA256"]
        return context

    def _observe(self, environ: dict, service: str, target: str | None) -> None:
        """The tap log, and cache invalidation for IAM and bucket-policy writes passing through."""
        if target:
            service = _TARGET_SERVICES.get(target.split(".", 1)[0], service)
        if service == "email":
            service = "ses"
        if service == "cloudfront":
            self._cloudfront(environ)
            return
        if service not in ("iam", *taplog.TAPPED):
            return
        protocol = errors.protocol_of(environ, service)
        if service == "ses" and protocol == "rest-json":
            operation = _sesv2_operation(environ)
        elif target:
            operation = target.rsplit(".", 1)[-1]
        else:
            operation = request_params(environ, protocol).get("Action", "")
        if service == "iam":
            if not operation.startswith(_IAM_READS):
                self.policies.invalidate_roles()
            return
        if not taplog.is_tapped(service, operation):
            return
        params = request_params(environ, protocol)
        raw_path, _ = sigv4.raw_target(environ)
        taplog.record(
            self.events, service, operation, params, region=self.region, account=self.account_id, path=raw_path
        )

    def _cloudfront(self, environ: dict) -> None:
        """CreateInvalidation also purges the local edge's cache (moto keeps only the record)."""
        if self.on_invalidation is None or environ.get("REQUEST_METHOD") != "POST":
            return
        match = _INVALIDATION_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return
        paths = [unescape(p) for p in _INVALIDATION_ITEM.findall(read_body(environ).decode("utf-8", "replace"))]
        if paths:
            self.on_invalidation(match.group(1), paths)


class _ClientCache:
    """One boto3 client per service (they are thread-safe and slow to create)."""

    def __init__(self, factory: Callable[[str], Any]):
        self._factory = factory
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        client = self._clients.get(service)
        if client is None:
            with self._lock:
                client = self._clients.get(service) or self._factory(service)
                self._clients[service] = client
        return client


def _sesv2_operation(environ: dict) -> str:
    if environ.get("REQUEST_METHOD") != "POST":
        return ""
    path = sigv4.raw_target(environ)[0].rstrip("/")
    return {"/v2/email/outbound-emails": "SendEmail", "/v2/email/outbound-bulk-emails": "SendBulkEmail"}.get(path, "")


def _caller_identity(session: Session, account: str) -> str:
    return (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
        f"<Arn>{escape(session.arn)}</Arn><UserId>{escape(session.role_id)}:{ROLE_SESSION_NAME}</UserId>"
        f"<Account>{account}</Account></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>localcloud</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    )
