"""Per-user S3 folders, reached directly with identity-pool credentials (no API in between), on the real
root template through localcloud: the authenticated role's policy confines each user to
`private/${cognito-identity.amazonaws.com:sub}/`, and localcloud enforces it as AWS does."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def users(localcloud_session):
    namespace = uuid.uuid4().hex[:8]
    cloud = localcloud_session
    out = {}
    for name in ("alice", "bob"):
        identity_id, creds = cloud.identity_credentials(f"{name}-{namespace}")
        out[name] = (identity_id, cloud.aws("s3", **creds))
    return out


@pytest.fixture
def bucket(localcloud_session):
    return localcloud_session.endpoints["outputs"]["Todos"]["FilesBucketName"]


def denied(call) -> bool:
    try:
        call()
    except ClientError as exc:
        return exc.response["Error"]["Code"] == "AccessDenied"
    return False


def test_identity_id_is_stable_and_not_the_user_pool_sub(localcloud_session):
    cloud = localcloud_session
    user = f"carol-{uuid.uuid4().hex[:8]}"
    first, _ = cloud.identity_credentials(user)
    second, _ = cloud.identity_credentials(user)
    assert first == second
    region, _, ident = first.partition(":")
    assert region == cloud.endpoints["region"] and uuid.UUID(ident)


def test_a_user_reads_and_writes_and_lists_their_own_folder(users, bucket):
    alice_id, s3 = users["alice"]
    key = f"private/{alice_id}/notes/today.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"buy milk")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"buy milk"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"private/{alice_id}/")
    assert [o["Key"] for o in listed["Contents"]] == [key]
    s3.delete_object(Bucket=bucket, Key=key)


def test_a_user_cannot_touch_or_list_another_users_folder(users, bucket):
    _, alice = users["alice"]
    bob_id, bob = users["bob"]
    bob_key = f"private/{bob_id}/secret.txt"
    bob.put_object(Bucket=bucket, Key=bob_key, Body=b"bob's")

    assert denied(lambda: alice.get_object(Bucket=bucket, Key=bob_key))
    assert denied(lambda: alice.put_object(Bucket=bucket, Key=bob_key, Body=b"overwritten"))
    assert denied(lambda: alice.put_object(Bucket=bucket, Key=f"private/{bob_id}/new.txt", Body=b"x"))
    assert denied(lambda: alice.delete_object(Bucket=bucket, Key=bob_key))
    assert denied(lambda: alice.list_objects_v2(Bucket=bucket, Prefix=f"private/{bob_id}/"))
    assert denied(lambda: alice.list_objects_v2(Bucket=bucket, Prefix="private/"))
    assert denied(lambda: alice.list_objects_v2(Bucket=bucket))
    assert denied(lambda: alice.put_object(Bucket=bucket, Key="public/index.html", Body=b"x"))
    assert bob.get_object(Bucket=bucket, Key=bob_key)["Body"].read() == b"bob's"


def test_identity_credentials_reach_nothing_but_the_bucket(localcloud_session):
    _, creds = localcloud_session.identity_credentials(f"alice-{uuid.uuid4().hex[:8]}")
    table = localcloud_session.endpoints["outputs"]["Todos"]["TableName"]
    dynamodb = localcloud_session.aws("dynamodb", **creds)
    with pytest.raises(ClientError) as caught:
        dynamodb.scan(TableName=table)
    assert caught.value.response["Error"]["Code"] in ("AccessDenied", "AccessDeniedException")
