"""Adversarial checks of the front: a user holding valid identity-pool credentials tries to reach another
user's folder, or another bucket, through requests the front and moto might read differently."""

from __future__ import annotations

import http.client
import time
from urllib.parse import urlsplit

import jwt
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from localcloud.front.s3_actions import bucket_and_key
from tests.localcloud.test_front_support import (
    credentials_for,
    make_identity_stack,
    served,  # noqa: F401 - fixture
    sign_in,
)

SECRET = b"bob's secret"


@pytest.fixture
def stack(served):  # noqa: F811
    yield make_identity_stack(served)
    served.front.clock = time.time


@pytest.fixture
def ann(served, stack):  # noqa: F811
    return credentials_for(served, stack, "ann@example.com")


@pytest.fixture
def bob_secret(served, stack):  # noqa: F811
    """Bob's identity id, with one object in his folder."""
    bob_id, creds = credentials_for(served, stack, "bob@example.com")
    served.user_client("s3", creds).put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret", Body=SECRET)
    return bob_id


def send(served, creds: dict, method: str, path: str, *, host: str | None = None, body: bytes = b""):  # noqa: F811
    """A request signed with `creds` exactly as given: raw path and Host, nothing normalised on the way."""
    netloc = urlsplit(served.url).netloc
    request = AWSRequest(method=method, url=f"{served.url}{path}", data=body, headers={"Host": host or netloc})
    request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
    credentials = Credentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"])
    S3SigV4Auth(credentials, "s3", "us-east-1").add_auth(request)
    address, port = netloc.split(":")
    connection = http.client.HTTPConnection(address, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in request.headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def keys(served, bucket: str) -> list[str]:  # noqa: F811
    return sorted(o["Key"] for o in served.aws("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("<Delete><Object><Key>{bob}</Key></Object><x:y/></Delete>", id="unbound-prefix"),
        pytest.param("<Delete><Object><Key>{bob}</Key></Object><Object><Key>{ann}</Key>", id="unclosed"),
        pytest.param("<Delete><Object><Key>{bob}</Key><Key>{ann}</Key></Object></Delete>", id="two-keys"),
        pytest.param("<Delete><Object><Key>{bob}<b/></Key></Object></Delete>", id="key-with-child"),
    ],
)
def test_delete_objects_deletes_only_keys_the_front_checked(served, stack, ann, bob_secret, body):  # noqa: F811
    """moto's XML parser reads documents the front's parser rejects or reads differently; it must never
    get a key the front did not authorise."""
    ann_id, creds = ann
    bobs = f"private/{bob_secret}/secret"
    document = body.format(bob=bobs, ann=f"private/{ann_id}/mine").encode()

    status, reply = send(served, creds, "POST", f"/{stack.bucket}?delete", body=document)

    assert bobs in keys(served, stack.bucket), (status, reply)
    assert served.aws("s3").get_object(Bucket=stack.bucket, Key=bobs)["Body"].read() == SECRET


def test_delete_objects_body_the_front_cannot_read_is_malformed_xml(served, stack, ann, bob_secret):  # noqa: F811
    _, creds = ann
    document = f"<Delete><Object><Key>private/{bob_secret}/secret</Key></Object><x:y/></Delete>".encode()

    status, reply = send(served, creds, "POST", f"/{stack.bucket}?delete", body=document)

    assert status == 400
    assert b"<Code>MalformedXML</Code>" in reply


def test_delete_objects_of_own_keys_still_works(served, stack, ann):  # noqa: F811
    ann_id, creds = ann
    s3 = served.user_client("s3", creds)
    for name in ("a", "b & c"):
        s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/{name}", Body=b"x")

    objects = [{"Key": f"private/{ann_id}/a"}, {"Key": f"private/{ann_id}/b & c"}]
    result = s3.delete_objects(Bucket=stack.bucket, Delete={"Objects": objects})

    assert sorted(d["Key"] for d in result["Deleted"]) == [o["Key"] for o in objects]
    assert "Errors" not in result
    assert keys(served, stack.bucket) == []


def test_a_look_alike_virtual_host_does_not_reach_another_bucket(served, stack, ann):  # noqa: F811
    """`a.s3.b.s3.amazonaws.com` names bucket `a.s3.b` to moto: the check must be on that bucket too."""
    ann_id, creds = ann
    look_alike = f"{stack.bucket}.s3.elsewhere"
    served.aws("s3").create_bucket(Bucket=look_alike)

    status, _ = send(
        served, creds, "PUT", f"/private/{ann_id}/planted", host=f"{look_alike}.s3.amazonaws.com", body=b"planted"
    )

    assert status == 403
    assert keys(served, look_alike) == []


def test_www_host_is_checked_against_the_bucket_moto_writes_to(served, stack, ann):  # noqa: F811
    ann_id, creds = ann

    status, reply = send(served, creds, "PUT", f"/private/{ann_id}/w", host=f"www.{stack.bucket}.example", body=b"w")

    assert status == 200, reply
    assert keys(served, stack.bucket) == [f"private/{ann_id}/w"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("files.s3.other.s3.amazonaws.com", ("files.s3.other", "k")),
        ("www.files.example", ("files", "k")),
        ("1.2.3.4.example", ("k", None)),
        ("host.docker.internal:4566", ("k", None)),
        ("files.svc.cluster.local:80", ("k", None)),
    ],
)
def test_addressing_style_is_read_as_moto_reads_it(host, expected):
    assert bucket_and_key(host, "/k") == expected


@pytest.mark.parametrize(
    "path",
    [
        "/{bucket}/private/{ann}/../{bob}/secret",
        "/{bucket}/private/{ann}/%2E%2E/{bob}/secret",
        "/{bucket}/private/{ann}%2F..%2F{bob}%2Fsecret",
        "/{bucket}/private/{ann}/..%252F{bob}%252Fsecret",
        "/{bucket}%2Fprivate%2F{bob}%2Fsecret",
        "/{bucket}/private%2F{bob}%2Fsecret",
        "/{bucket}//private/{bob}/secret",
        "/{bucket}/private/{bob}/secret?x-id=GetObject",
        "/{bucket}?prefix=private/{ann}/&prefix=private/{bob}/",
        "/{bucket}?pre%66ix=private/{ann}/&prefix=private/{bob}/",
        "/{bucket}?list-type=2&prefix=private/{ann}/&start-after=private/{bob}/",
        "/{bucket}?versions&prefix=private/{ann}/",
        "/{bucket}?uploads&prefix=private/{ann}/",
        "/{bucket}/private/{bob}/secret?acl",
        "/{bucket}/private/{bob}/secret?tagging",
        "/{bucket}/private/{bob}/secret?attributes",
    ],
)
def test_key_and_query_tricks_never_read_another_users_folder(served, stack, ann, bob_secret, path):  # noqa: F811
    ann_id, creds = ann
    target = path.format(bucket=stack.bucket, ann=ann_id, bob=bob_secret)

    _, reply = send(served, creds, "GET", target)

    assert SECRET not in reply
    assert f"<Key>private/{bob_secret}/secret</Key>".encode() not in reply


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/{bucket}/private/{bob}/planted", b"x"),
        ("PUT", "/{bucket}/private%2F{bob}%2Fplanted", b"x"),
        ("PUT", "/{bucket}/private/{bob}/secret?tagging", b"<Tagging><TagSet/></Tagging>"),
        ("PUT", "/{bucket}/private/{bob}/secret?acl", b""),
        ("POST", "/{bucket}/private/{bob}/planted?uploads", b""),
        ("POST", "/{bucket}/private/{bob}/secret?restore", b"<RestoreRequest/>"),
        ("POST", "/{bucket}/private/{bob}/secret?select&select-type=2", b""),
        ("POST", "/{bucket}?key=private/{bob}/planted", b"x"),
        ("DELETE", "/{bucket}/private/{bob}/secret?tagging", b""),
        ("DELETE", "/{bucket}/private/{bob}/secret", b""),
    ],
)
def test_writes_into_another_users_folder_are_denied(served, stack, ann, bob_secret, method, path, body):  # noqa: F811
    ann_id, creds = ann

    status, _ = send(served, creds, method, path.format(bucket=stack.bucket, ann=ann_id, bob=bob_secret), body=body)

    assert status == 403
    assert keys(served, stack.bucket) == [f"private/{bob_secret}/secret"]
    assert served.aws("s3").get_object_tagging(Bucket=stack.bucket, Key=f"private/{bob_secret}/secret")["TagSet"] == []


@pytest.mark.parametrize(
    "path", ["/{bucket}/private/{ann}/../{bob}/planted", "/{bucket}/private/{ann}%2F..%2F{bob}%2Fplanted"]
)
def test_dot_segments_are_literal_key_characters(served, stack, ann, bob_secret, path):  # noqa: F811
    """S3 keys are not paths: `..` stays in the key, which lies in the writer's own folder."""
    ann_id, creds = ann

    status, reply = send(served, creds, "PUT", path.format(bucket=stack.bucket, ann=ann_id, bob=bob_secret), body=b"x")

    assert status == 200, reply
    assert keys(served, stack.bucket) == sorted(
        [f"private/{ann_id}/../{bob_secret}/planted", f"private/{bob_secret}/secret"]
    )


def test_copy_source_tricks_do_not_copy_another_users_object(served, stack, ann, bob_secret):  # noqa: F811
    ann_id, creds = ann
    s3 = served.user_client("s3", creds)
    sources = [
        f"/{stack.bucket}/private/{bob_secret}/secret",
        f"{stack.bucket}/private%2F{bob_secret}%2Fsecret",
        f"//{stack.bucket}/private/{bob_secret}/secret",
        f"{stack.bucket}/private/{ann_id}/../{bob_secret}/secret",
    ]
    for n, source in enumerate(sources):
        with pytest.raises(ClientError):
            s3.copy_object(Bucket=stack.bucket, Key=f"private/{ann_id}/copy{n}", CopySource=source)
    assert [k for k in keys(served, stack.bucket) if "copy" in k] == []


def test_presigned_url_of_anns_credentials_for_bobs_key_is_denied(served, stack, ann, bob_secret):  # noqa: F811
    _, creds = ann
    url = served.user_client("s3", creds).generate_presigned_url(
        "get_object", Params={"Bucket": stack.bucket, "Key": f"private/{bob_secret}/secret"}
    )
    status, reply = send_unsigned(url)
    assert status == 403 and SECRET not in reply


def send_unsigned(url: str):
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("algorithm", ["none", "HS256"])
def test_unsigned_or_symmetric_tokens_get_no_identity(served, stack, algorithm):  # noqa: F811
    genuine_token = sign_in(served, stack, "ann@example.com")
    claims = jwt.decode(genuine_token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(genuine_token)["kid"]
    if algorithm == "none":
        forged = jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
    else:
        jwks = served.front._jwks(stack.pool_id)
        public = next(k for k in jwks["keys"] if k["kid"] == kid)
        forged = jwt.encode(claims, public["n"], algorithm="HS256", headers={"kid": kid})

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: forged})
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_another_app_client_of_the_same_pool_gets_no_identity(served, stack):  # noqa: F811
    other_client = served.aws("cognito-idp").create_user_pool_client(
        UserPoolId=stack.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    token = sign_in(served, stack, "ann@example.com", client_id=other_client)

    with pytest.raises(ClientError) as excinfo:
        served.aws("cognito-identity").get_id(IdentityPoolId=stack.identity_pool_id, Logins={stack.provider: token})
    assert excinfo.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_forged_or_stale_access_keys_are_refused(served, stack, ann):  # noqa: F811
    ann_id, creds = ann
    served.front.reset()

    status, reply = send(served, creds, "GET", f"/{stack.bucket}/private/{ann_id}/x")

    assert status == 403
    assert b"InvalidAccessKeyId" in reply
