"""Access key extraction and signature verification against botocore's own signers."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

from botocore.auth import HmacV1Auth, S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud.front import sigv4

CREDS = Credentials("ASIAEXAMPLEEXAMPLE12", "secret/key+value", "session-token")


def environ_of(request: AWSRequest) -> dict:
    """The WSGI environ werkzeug would build for a prepared botocore request."""
    prepared = request.prepare()
    url = urlsplit(prepared.url)
    target = url.path + (f"?{url.query}" if url.query else "")
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    environ = {
        "REQUEST_METHOD": prepared.method,
        "PATH_INFO": url.path,
        "QUERY_STRING": url.query,
        "RAW_URI": target,
        "HTTP_HOST": url.netloc,
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in prepared.headers.items():
        lowered = name.lower()
        if lowered == "content-type":
            environ["CONTENT_TYPE"] = value
        elif lowered != "content-length":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ, body


def test_sigv4_header_for_a_json_service():
    request = AWSRequest(
        method="POST",
        url="http://127.0.0.1:4566/",
        data=b'{"QueueUrl": "q", "MessageBody": "hi"}',
        headers={"X-Amz-Target": "AmazonSQS.SendMessage", "Content-Type": "application/x-amz-json-1.0"},
    )
    SigV4Auth(CREDS, "sqs", "us-east-1").add_auth(request)
    environ, body = environ_of(request)

    credential = sigv4.parse_credential(environ)
    assert (credential.access_key, credential.service, credential.region) == (CREDS.access_key, "sqs", "us-east-1")
    assert sigv4.verify(environ, credential, CREDS.secret_key, body)
    assert not sigv4.verify(environ, credential, "other-secret", body)
    assert not sigv4.verify(environ, credential, CREDS.secret_key, body.replace(b"hi", b"ho"))


def test_sigv4_for_s3_with_an_encoded_key_and_query():
    request = AWSRequest(
        method="GET",
        url="http://127.0.0.1:4566/files?list-type=2&prefix=private%2Fus-east-1%3Aabc%2F&encoding-type=url",
        headers={"X-Amz-Content-SHA256": sigv4.EMPTY_SHA256},
    )
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(request)
    environ, _ = environ_of(request)
    credential = sigv4.parse_credential(environ)

    assert sigv4.verify(environ, credential, CREDS.secret_key, None)
    environ["RAW_URI"] = environ["RAW_URI"].replace("abc", "abd")
    assert not sigv4.verify(environ, credential, CREDS.secret_key, None)


def test_sigv4_presigned_url():
    request = AWSRequest(method="GET", url="http://127.0.0.1:4566/files/private/a%20b.txt")
    S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=60).add_auth(request)
    environ, _ = environ_of(request)
    query = sigv4.parse_query(environ["QUERY_STRING"])
    credential = sigv4.parse_credential(environ)

    assert credential.presigned and credential.access_key == CREDS.access_key
    assert query["X-Amz-Security-Token"] == CREDS.token
    assert sigv4.verify(environ, credential, CREDS.secret_key, None)
    assert not sigv4.presigned_expired(query, now=0)
    assert sigv4.presigned_expired(query, now=4102444800)


def test_sigv2_header_and_presigned():
    request = AWSRequest(method="PUT", url="http://127.0.0.1:4566/files/k?acl", headers={"Content-Type": "text/plain"})
    HmacV1Auth(CREDS).add_auth(request)
    environ, _ = environ_of(request)
    credential = sigv4.parse_credential(environ)

    assert credential.version == 2 and credential.access_key == CREDS.access_key
    assert sigv4.verify(environ, credential, CREDS.secret_key, None)
    assert not sigv4.verify(environ, credential, "other", None)


def test_unsigned_and_foreign_requests_have_no_credential():
    assert sigv4.parse_credential({"QUERY_STRING": ""}) is None
    assert sigv4.parse_credential({"HTTP_AUTHORIZATION": "Bearer abc", "QUERY_STRING": ""}) is None
    admin = sigv4.parse_credential(
        {
            "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sns/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=abc"
        }
    )
    assert (admin.access_key, admin.service, admin.signed_headers) == ("testing", "sns", ("host", "x-amz-date"))
