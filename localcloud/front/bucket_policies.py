"""S3 bucket policies, kept by the front instead of moto.

moto enforces bucket policies half-way: a condition it cannot evaluate (e.g. `Bool aws:SecureTransport`)
counts as met, so the usual "deny insecure transport" statement denies every object request, the
admin's included. The front therefore answers Put/Get/DeleteBucketPolicy itself, moto never sees the
document, and the front evaluates it (for credentials it issued) with real conditions.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from botocore.exceptions import ClientError

Response = tuple[str, list[tuple[str, str]], bytes]


class BucketPolicies:
    def __init__(self, aws: Callable[[str], Any]):
        self._aws = aws
        self._lock = threading.Lock()
        self._documents: dict[str, str] = {}

    def document(self, bucket: str) -> dict | None:
        text = self._documents.get(bucket)
        return json.loads(text) if text is not None else None

    def forget(self, bucket: str | None = None) -> None:
        with self._lock:
            if bucket is None:
                self._documents.clear()
            else:
                self._documents.pop(bucket, None)

    def handle(self, method: str, bucket: str, body: bytes) -> Response:
        """Answer PutBucketPolicy (PUT), GetBucketPolicy (GET) or DeleteBucketPolicy (DELETE) for `bucket`."""
        if not self._bucket_exists(bucket):
            return s3_error(404, "NoSuchBucket", "The specified bucket does not exist", bucket)
        if method == "PUT":
            try:
                document = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError):
                document = None
            if not isinstance(document, dict) or not document.get("Statement"):
                return s3_error(400, "MalformedPolicy", "Policies must be valid JSON and have a Statement", bucket)
            with self._lock:
                self._documents[bucket] = body.decode("utf-8")
            return "204 No Content", _headers(b""), b""
        if method == "DELETE":
            self.forget(bucket)
            return "204 No Content", _headers(b""), b""
        text = self._documents.get(bucket)
        if text is None:
            return s3_error(404, "NoSuchBucketPolicy", "The bucket policy does not exist", bucket)
        data = text.encode("utf-8")
        return "200 OK", _headers(data, "application/json"), data

    def _bucket_exists(self, bucket: str) -> bool:
        try:
            self._aws("s3").head_bucket(Bucket=bucket)
        except ClientError:
            return False
        return True


def s3_error(status: int, code: str, message: str, bucket: str | None = None) -> Response:
    extra = f"<BucketName>{escape(bucket)}</BucketName>" if bucket else ""
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
        f"{extra}<RequestId>{uuid.uuid4()}</RequestId></Error>"
    ).encode()
    reason = {400: "Bad Request", 404: "Not Found"}.get(status, "Error")
    return f"{status} {reason}", _headers(body, "application/xml"), body


def _headers(body: bytes, content_type: str = "application/xml") -> list[tuple[str, str]]:
    return [("Content-Type", content_type), ("Content-Length", str(len(body)))]
