"""S3 requests the front decides before moto sees them: callers with issued credentials (their role's
policies and the bucket policy), callers with none (anonymous viewers, CloudFront with OAC: the bucket
policy alone), DeleteObjects per key, and the bucket-policy calls the front answers itself.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from localcloud.front import errors, sigv4
from localcloud.front.bucket_policies import BucketPolicies
from localcloud.front.identity import Session
from localcloud.front.policy import Principal, Request, evaluate
from localcloud.front.resource_only import ResourceCaller, decide
from localcloud.front.role_policies import PolicyStore
from localcloud.front.s3_actions import bucket_and_key, s3_access
from localcloud.front.wsgi_util import denied_message, read_body, respond
from localcloud.wsgi import call_wsgi

_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
# A request decided here reaches moto signed, so moto does not apply its own anonymous-ACL rule.
_DECIDED_HERE = (
    "AWS4-HMAC-SHA256 Credential=localcloud/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"
)


class S3Gate:
    def __init__(
        self,
        app: Callable,
        *,
        bucket_policies: BucketPolicies,
        policies: PolicyStore,
        account_id: str,
        waived: Callable[[], frozenset[str]],
    ):
        self.app = app
        self.bucket_policies = bucket_policies
        self.policies = policies
        self.account_id = account_id
        self.waived = waived

    def for_resource_caller(self, environ: dict, start_response: Callable, caller: ResourceCaller) -> Iterable[bytes]:
        """An anonymous or service-principal S3 request: the bucket policy alone decides (resource_only.py)."""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path, raw_query = sigv4.raw_target(environ)
        headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_X_AMZ_")}
        access = s3_access(method, environ.get("HTTP_HOST", ""), raw_path, sigv4.parse_query(raw_query), headers, None)
        bucket = access.bucket
        context = {"aws:securetransport": "false", "aws:sourceip": environ.get("REMOTE_ADDR", "")}
        decision = decide(
            access,
            caller,
            self.bucket_policies.document(bucket) if bucket else None,
            context,
            restrict_public=self._restricts_public(bucket),
        )
        if not decision.allowed:
            message = f"Access Denied ({decision.reason})"
            return respond(start_response, errors.error_response("s3", "denied", message, method == "HEAD"))
        # Decided here: moto must not apply its own anonymous-ACL rule, so it sees a signed request.
        environ["HTTP_AUTHORIZATION"] = _DECIDED_HERE
        return self.forward(environ, start_response)

    def bucket_exists(self, name: str) -> bool:
        from moto.s3.models import s3_backends

        return name in s3_backends[self.account_id]["aws"].buckets

    def _restricts_public(self, bucket: str | None) -> bool:
        from moto.s3.models import s3_backends

        found = s3_backends[self.account_id]["aws"].buckets.get(bucket or "")
        block = getattr(found, "public_access_block", None)
        return bool(block and block.restrict_public_buckets)

    def for_session(self, environ: dict, start_response: Callable, session: Session, context: dict) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path, raw_query = sigv4.raw_target(environ)
        query = sigv4.parse_query(raw_query)
        headers = {
            key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_X_AMZ_")
        }
        body = read_body(environ) if method == "POST" and "delete" in query else None
        access = s3_access(method, environ.get("HTTP_HOST", ""), raw_path, query, headers, body)
        identity_policies = self.policies.role_policies(session.role_arn)
        principal = Principal(arn=session.arn, role_arn=session.role_arn, account=self.account_id)
        outcomes = []
        for check in access.checks:
            bucket = check.resource[len("arn:aws:s3:::") :].split("/", 1)[0] if check.resource != "*" else None
            bucket_policy = self.bucket_policies.document(bucket) if bucket else None
            decision = evaluate(
                Request(check.action, check.resource, {**context, **check.context}),
                identity_policies,
                [(f"the bucket policy of {bucket}", bucket_policy)] if bucket_policy else [],
                principal=principal,
                waived_keys=self.waived(),
            )
            outcomes.append((check, decision))
        if access.delete_objects is not None:
            if not access.delete_objects:
                message = "The XML you provided was not well-formed or did not validate against our published schema"
                return respond(start_response, errors.error_response("s3", "malformed_xml", message))
            denied = {i for i, (_, decision) in enumerate(outcomes) if not decision.allowed}
            return self._delete_objects(environ, start_response, access.delete_objects, denied, body or b"")
        else:
            for check, decision in outcomes:
                if not decision.allowed:
                    message = denied_message(session, check.action, check.resource, decision.reason)
                    return respond(start_response, errors.error_response("s3", "denied", message, method == "HEAD"))
        return self.forward(environ, start_response)

    def _delete_objects(
        self,
        environ: dict,
        start_response: Callable,
        objects: list[tuple[str, str | None]],
        denied: set[int],
        body: bytes,
    ) -> Iterable[bytes]:
        """DeleteObjects: delete the keys that were authorised and report AccessDenied for the others, as S3 does.
        moto always gets a body rebuilt from the keys checked here, never the client's own: its XML parser
        reads documents this one rejects or reads differently, and must not see a key that was not checked."""
        error_xml = "".join(
            f"<Error><Key>{escape(key)}</Key>"
            + (f"<VersionId>{escape(version)}</VersionId>" if version else "")
            + "<Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
            for i, (key, version) in enumerate(objects)
            if i in denied
        )
        allowed = [obj for i, obj in enumerate(objects) if i not in denied]
        if not allowed:
            document = (
                f'<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="{_S3_NS}">{error_xml}</DeleteResult>'
            )
            return respond(start_response, errors.xml_response(document))
        quiet = "<Quiet>true</Quiet>" if b"<quiet>true</quiet>" in body.lower() else ""
        remaining = "".join(
            f"<Object><Key>{escape(key)}</Key>" + (f"<VersionId>{escape(v)}</VersionId>" if v else "") + "</Object>"
            for key, v in allowed
        )
        new_body = f'<Delete xmlns="{_S3_NS}">{quiet}{remaining}</Delete>'.encode()
        environ["wsgi.input"] = io.BytesIO(new_body)
        environ["CONTENT_LENGTH"] = str(len(new_body))
        for key in [k for k in environ if k == "HTTP_CONTENT_MD5" or k.startswith("HTTP_X_AMZ_CHECKSUM_")]:
            del environ[key]
        status, headers, result = call_wsgi(self.app, environ)
        if status.startswith("200"):
            text = result.decode("utf-8")
            if "</DeleteResult>" in text:
                text = text.replace("</DeleteResult>", error_xml + "</DeleteResult>")
            elif "<DeleteResult" in text and text.rstrip().endswith("/>"):
                text = text.rstrip()[:-2] + ">" + error_xml + "</DeleteResult>"
            result = text.encode("utf-8")
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("Content-Length", str(len(result)))]
        start_response(status, headers)
        return [result]

    def forward(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        """Forward an S3 request, answering bucket-policy calls here and forgetting a deleted bucket's policy."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "PUT", "DELETE"):
            return self.app(environ, start_response)
        query = environ.get("QUERY_STRING", "")
        if query and "policy" not in query:
            return self.app(environ, start_response)
        raw_path, raw_query = sigv4.raw_target(environ)
        bucket, key = bucket_and_key(environ.get("HTTP_HOST", ""), raw_path)
        if not bucket or key is not None:
            return self.app(environ, start_response)
        if "policy" in sigv4.parse_query(raw_query):
            body = read_body(environ) if method == "PUT" else b""
            return respond(start_response, self.bucket_policies.handle(method, bucket, body))
        if method == "DELETE" and not query:

            def deleted(status: str, headers: list, exc_info: Any = None) -> Callable:
                if status.startswith("204"):
                    self.bucket_policies.forget(bucket)
                return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

            return self.app(environ, deleted)
        return self.app(environ, start_response)
