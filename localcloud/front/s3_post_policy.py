"""Browser form uploads (S3 POST Object): the signed policy checked as S3 checks it, before moto stores.

A POST form carries a base64 JSON policy, its SigV4 signature and the credential that signed it. S3
refuses the upload unless:
- the signature is the HMAC of the policy under the signer's key (a known access key; a session's
  `x-amz-security-token` field is its own token, and the session has not expired);
- the policy has not expired;
- every condition holds: exact matches (`{"field": value}` or `["eq", "$field", value]`),
  `["starts-with", "$field", prefix]`, `["content-length-range", min, max]` against the file's size, and
  `bucket` against the bucket posted to;
- every form field but `policy`, `x-amz-signature`, `file` and `x-ignore-*` is named by a condition;
- the signer may put the key (an identity-pool session's role policies and the bucket policy).
moto accepts any form, so without this an expired or altered policy would still upload.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from localcloud.front import sigv4
from localcloud.front.principals import BAD_SIGNATURE, Principals
from localcloud.front.s3_actions import bucket_and_key
from localcloud.front.wsgi_util import read_body

_EXEMPT = ("policy", "x-amz-signature", "file")
_REQUIRED = ("key", "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")


@dataclass(frozen=True)
class Refusal(Exception):
    status: str
    code: str
    message: str


@dataclass(frozen=True)
class PostForm:
    bucket: str
    fields: dict[str, str]  # lower-cased names (S3 matches them case-insensitively), file excluded
    file_size: int
    has_file: bool


def is_post_form(environ: dict, bucket_exists: Callable[[str], bool]) -> bool:
    """A multipart POST to a bucket itself (no key, no subresource): S3's POST Object."""
    if environ.get("REQUEST_METHOD", "").upper() != "POST" or environ.get("QUERY_STRING"):
        return False
    if not environ.get("CONTENT_TYPE", "").lower().startswith("multipart/form-data"):
        return False
    raw_path, _ = sigv4.raw_target(environ)
    bucket, key = bucket_and_key(environ.get("HTTP_HOST", ""), raw_path)
    return bool(bucket) and not key and bucket_exists(bucket)


def parse_form(environ: dict) -> PostForm:
    """The form's fields up to `file` (S3 ignores any after it) and the file's size."""
    import io

    from werkzeug.formparser import parse_form_data

    body = read_body(environ)
    copy = {**environ, "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    _, form, files = parse_form_data(copy)
    fields = {name.lower(): value for name, value in form.items(multi=False)}
    upload = files.get("file")
    size = len(upload.read()) if upload is not None else 0
    raw_path, _ = sigv4.raw_target(environ)
    bucket, _ = bucket_and_key(environ.get("HTTP_HOST", ""), raw_path)
    return PostForm(bucket or "", fields, size, upload is not None)


def _policy_failed(condition: Any) -> Refusal:
    return Refusal(
        "403 Forbidden",
        "AccessDenied",
        f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}",
    )


def _value(form: PostForm, name: str) -> str | None:
    name = name.lower().removeprefix("$")
    return form.bucket if name == "bucket" else form.fields.get(name)


def check_conditions(form: PostForm, conditions: list, now: datetime.datetime | None = None) -> None:
    covered = {"bucket"}
    for condition in conditions:
        if isinstance(condition, dict) and len(condition) == 1:
            ((name, expected),) = condition.items()
            covered.add(name.lower())
            if _value(form, name) != expected:
                raise _policy_failed(condition)
        elif isinstance(condition, list) and len(condition) == 3:
            operator = str(condition[0]).lower()
            if operator == "content-length-range":
                low, high = int(condition[1]), int(condition[2])
                if form.file_size > high:
                    raise Refusal(
                        "400 Bad Request", "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"
                    )
                if form.file_size < low:
                    raise Refusal(
                        "400 Bad Request",
                        "EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed size",
                    )
                continue
            name = str(condition[1])
            covered.add(name.lower().removeprefix("$"))
            value = _value(form, name)
            if operator == "eq" and value != condition[2]:
                raise _policy_failed(condition)
            if operator == "starts-with" and (value is None or not value.startswith(str(condition[2]))):
                raise _policy_failed(condition)
            if operator not in ("eq", "starts-with"):
                raise Refusal(
                    "400 Bad Request",
                    "InvalidPolicyDocument",
                    f"Invalid Policy: Invalid condition {json.dumps(condition)}",
                )
        else:
            raise Refusal(
                "400 Bad Request", "InvalidPolicyDocument", f"Invalid Policy: Invalid condition {json.dumps(condition)}"
            )
    extra = sorted(
        name for name in form.fields if name not in covered and name not in _EXEMPT and not name.startswith("x-ignore-")
    )
    if extra:
        raise Refusal(
            "403 Forbidden", "AccessDenied", f"Invalid according to Policy: Extra input fields: {', '.join(extra)}"
        )


def decode_policy(encoded: str, now: float) -> dict:
    try:
        policy = json.loads(base64.b64decode(encoded, validate=True))
        expiration = datetime.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        conditions = policy.get("conditions", [])
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise Refusal("400 Bad Request", "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None
    if not isinstance(conditions, list):
        raise Refusal("400 Bad Request", "InvalidPolicyDocument", "Invalid Policy: conditions is not a list.")
    if expiration.timestamp() <= now:
        raise Refusal("403 Forbidden", "AccessDenied", "Invalid according to Policy: Policy expired.")
    return policy


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


class PostPolicyGate:
    """Decides a POST Object form; `forward` stores an accepted one (moto), `authorize` asks IAM."""

    def __init__(self, principals: Principals, *, clock: Callable[[], float], authorize: Callable[..., str | None]):
        self.principals = principals
        self.clock = clock
        self.authorize = authorize  # (session, bucket, key, environ) → None when allowed, else the reason

    def check(self, environ: dict) -> PostForm:
        form = parse_form(environ)
        missing = [name for name in _REQUIRED if name not in form.fields]
        if missing:
            raise Refusal(
                "400 Bad Request", "InvalidArgument", f"Bucket POST must contain a field named '{missing[0]}'"
            )
        if not form.has_file:
            raise Refusal("400 Bad Request", "InvalidArgument", "POST requires exactly one file upload per request.")
        if form.fields["x-amz-algorithm"] != sigv4.ALGORITHM:
            raise Refusal("400 Bad Request", "InvalidArgument", "Only AWS4-HMAC-SHA256 POST policies are checked here")
        parts = form.fields["x-amz-credential"].split("/")
        if len(parts) != 5 or parts[3] != "s3" or parts[4] != "aws4_request":
            raise Refusal("400 Bad Request", "InvalidArgument", "Invalid x-amz-credential")
        access_key, date, region, service, _ = parts
        secret, session = self._secret(access_key, form)
        expected = hmac.new(
            _signing_key(secret, date, region, service), form.fields["policy"].encode("utf-8"), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, form.fields["x-amz-signature"]):
            raise Refusal("403 Forbidden", "SignatureDoesNotMatch", BAD_SIGNATURE)
        policy = decode_policy(form.fields["policy"], self.clock())
        check_conditions(form, policy["conditions"])
        if session is not None:
            reason = self.authorize(session, form.bucket, form.fields["key"], environ)
            if reason:
                raise Refusal("403 Forbidden", "AccessDenied", f"Access Denied ({reason})")
        return form

    def _secret(self, access_key: str, form: PostForm) -> tuple[str, Any]:
        admin = self.principals.admin.get(access_key)
        if admin is not None:
            return admin, None
        session = self.principals.identity.session(access_key)
        if session is None:
            raise Refusal(
                "403 Forbidden",
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
            )
        if self.clock() >= session.expires_at:
            raise Refusal("400 Bad Request", "ExpiredToken", "The provided token has expired.")
        if form.fields.get("x-amz-security-token") != session.session_token:
            raise Refusal("400 Bad Request", "InvalidToken", "The provided token is malformed or otherwise invalid.")
        return session.secret_key, session


def refusal_response(refusal: Refusal, start_response: Callable) -> Iterable[bytes]:
    from xml.sax.saxutils import escape

    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{refusal.code}</Code><Message>{escape(refusal.message)}</Message>"
        "<RequestId>localcloud</RequestId><HostId>localcloud</HostId></Error>"
    ).encode()
    start_response(refusal.status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]
