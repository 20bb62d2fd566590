"""Browser form uploads (S3 POST Object) on localcloud: the signed policy is enforced as S3 enforces it.
Each broken condition, an expired policy, a bad signature, an extra field and a session's role are refused;
the untouched form is stored."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import requests
from botocore.config import Config

pytestmark = pytest.mark.localcloud


@pytest.fixture
def bucket(localcloud_session):
    return localcloud_session.endpoints["outputs"]["Todos"]["FilesBucketName"]


def s3v4(cloud, **creds):
    """An S3 client that signs POST policies with SigV4, as browsers' upload forms are signed today."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=cloud.endpoints["aws"],
        region_name=cloud.endpoints["region"],
        aws_access_key_id=creds.get("AccessKeyId", "testing"),
        aws_secret_access_key=creds.get("SecretKey", "testing"),
        aws_session_token=creds.get("SessionToken"),
        config=Config(signature_version="s3v4"),
    )


def presign(s3, bucket: str, key: str, *, expires: int = 300, max_bytes: int = 100) -> dict:
    return s3.generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires,
    )


def send(post: dict, body: bytes = b"x" * 50, **override) -> requests.Response:
    fields = {**post["fields"], **override}
    fields = {k: v for k, v in fields.items() if v is not None}
    return requests.post(post["url"], data=fields, files={"file": ("f.jpg", body, "image/jpeg")}, timeout=30)


def code(response: requests.Response) -> str:
    text = response.text
    return text.split("<Code>")[1].split("</Code>")[0] if "<Code>" in text else text


@pytest.fixture
def post(localcloud, bucket):
    return presign(s3v4(localcloud), bucket, f"public/{uuid.uuid4()}.jpg")


def test_the_untouched_form_is_stored_with_its_content_type(localcloud, bucket, post):
    assert send(post).status_code == 204
    head = localcloud.aws("s3").head_object(Bucket=bucket, Key=post["fields"]["key"])
    assert head["ContentLength"] == 50 and head["ContentType"] == "image/jpeg"


@pytest.mark.parametrize(
    ("override", "body", "status", "error"),
    [
        ({"key": "public/another.jpg"}, b"x" * 50, 403, "AccessDenied"),
        ({"Content-Type": "text/html"}, b"x" * 50, 403, "AccessDenied"),
        ({}, b"x" * 101, 400, "EntityTooLarge"),
        ({}, b"", 400, "EntityTooSmall"),
        ({"x-amz-meta-owner": "mallory"}, b"x" * 50, 403, "AccessDenied"),
        ({"x-amz-signature": "0" * 64}, b"x" * 50, 403, "SignatureDoesNotMatch"),
        ({"x-amz-credential": "nobody/20260101/us-east-1/s3/aws4_request"}, b"x" * 50, 403, "InvalidAccessKeyId"),
        ({"policy": None}, b"x" * 50, 400, "InvalidArgument"),
    ],
    ids=["key", "content-type", "too-large", "too-small", "extra-field", "signature", "unknown-key", "no-policy"],
)
def test_a_form_breaking_the_policy_is_refused_and_stores_nothing(
    localcloud, bucket, post, override, body, status, error
):
    answer = send(post, body, **override)
    assert (answer.status_code, code(answer)) == (status, error), answer.text
    listed = localcloud.aws("s3").list_objects_v2(Bucket=bucket, Prefix="public/")
    assert listed.get("KeyCount", 0) == 0


def test_an_altered_policy_no_longer_matches_its_signature(localcloud, post):
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    policy["conditions"] = [c for c in policy["conditions"] if not isinstance(c, list)]  # drop the size limit
    forged = base64.b64encode(json.dumps(policy).encode()).decode()
    answer = send(post, b"x" * 5000, policy=forged)
    assert (answer.status_code, code(answer)) == (403, "SignatureDoesNotMatch")


def test_an_expired_policy_is_refused(localcloud, bucket):
    post = presign(s3v4(localcloud), bucket, f"public/{uuid.uuid4()}.jpg", expires=-1)
    answer = send(post)
    assert (answer.status_code, code(answer)) == (403, "AccessDenied") and "expired" in answer.text


def test_a_session_may_post_only_where_its_role_may_put(localcloud, bucket):
    identity_id, creds = localcloud.identity_credentials(f"poster-{uuid.uuid4().hex[:8]}")
    s3 = s3v4(localcloud, **creds)
    mine = presign(s3, bucket, f"private/{identity_id}/photo.jpg")
    assert send(mine).status_code == 204
    theirs = presign(s3, bucket, "private/us-east-1:00000000-0000-0000-0000-000000000000/photo.jpg")
    answer = send(theirs)
    assert (answer.status_code, code(answer)) == (403, "AccessDenied")
    no_token = send(mine, **{"x-amz-security-token": None})
    assert (no_token.status_code, code(no_token)) == (400, "InvalidToken")
