"""Identity-pool credentials against the todos user-folder policy: a user's own folder works, another
user's folder is denied locally as on AWS."""

from __future__ import annotations

import json
import time

import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.localcloud.test_front_support import (
    credentials_for,
    make_identity_stack,
    served,  # noqa: F401 - fixture
)


@pytest.fixture
def stack(served):  # noqa: F811
    yield make_identity_stack(served)
    served.front.clock = time.time
    served.front.enforce_secure_transport = False


@pytest.fixture
def ann(served, stack):  # noqa: F811
    identity_id, creds = credentials_for(served, stack, "ann@example.com")
    return identity_id, creds, served.user_client("s3", creds)


@pytest.fixture
def bob(served, stack):  # noqa: F811
    identity_id, creds = credentials_for(served, stack, "bob@example.com")
    return identity_id, creds, served.user_client("s3", creds)


def denied(call) -> str:
    with pytest.raises(ClientError) as excinfo:
        call()
    return excinfo.value.response["Error"]["Code"]


def test_own_folder_read_write_list_delete(stack, ann):
    ann_id, _, s3 = ann
    key = f"private/{ann_id}/notes/hello world+ü.txt"

    s3.put_object(Bucket=stack.bucket, Key=key, Body=b"hi")
    assert s3.get_object(Bucket=stack.bucket, Key=key)["Body"].read() == b"hi"
    assert s3.head_object(Bucket=stack.bucket, Key=key)["ContentLength"] == 2
    listed = s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"private/{ann_id}/")
    assert [o["Key"] for o in listed["Contents"]] == [key]
    listed_v1 = s3.list_objects(Bucket=stack.bucket, Prefix=f"private/{ann_id}/notes/", Delimiter="/")
    assert [o["Key"] for o in listed_v1["Contents"]] == [key]
    s3.delete_object(Bucket=stack.bucket, Key=key)
    assert s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"private/{ann_id}/")["KeyCount"] == 0


def test_another_users_folder_is_denied(served, stack, ann, bob):  # noqa: F811
    ann_id, _, ann_s3 = ann
    bob_id, _, bob_s3 = bob
    bob_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret.txt", Body=b"bob's")

    assert denied(lambda: ann_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/x.txt", Body=b"x")) == (
        "AccessDenied"
    )
    assert denied(lambda: ann_s3.get_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret.txt")) == "AccessDenied"
    assert denied(lambda: ann_s3.head_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret.txt")) == "403"
    assert denied(lambda: ann_s3.delete_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret.txt")) == (
        "AccessDenied"
    )
    assert denied(lambda: ann_s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"private/{bob_id}/")) == "AccessDenied"
    assert denied(lambda: ann_s3.list_objects_v2(Bucket=stack.bucket, Prefix=f"private/{ann_id}")) == "AccessDenied"
    assert served.aws("s3").get_object(Bucket=stack.bucket, Key=f"private/{bob_id}/secret.txt")["Body"].read() == (
        b"bob's"
    )


def test_listing_without_the_prefix_condition_is_denied(stack, ann):
    _, _, s3 = ann

    assert denied(lambda: s3.list_objects_v2(Bucket=stack.bucket)) == "AccessDenied"
    assert denied(lambda: s3.list_objects_v2(Bucket=stack.bucket, Prefix="private/")) == "AccessDenied"
    assert denied(lambda: s3.list_object_versions(Bucket=stack.bucket, Prefix="private/")) == "AccessDenied"
    assert denied(lambda: s3.list_buckets()) == "AccessDenied"


def test_denial_names_the_principal_action_and_resource(stack, ann, bob):
    _, _, ann_s3 = ann
    bob_id, _, _ = bob

    with pytest.raises(ClientError) as excinfo:
        ann_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/x", Body=b"x")
    message = excinfo.value.response["Error"]["Message"]
    assert f"assumed-role/{stack.role_name}/CognitoIdentityCredentials" in message
    assert f'"arn:aws:s3:::{stack.bucket}/private/{bob_id}/x"' in message
    assert "s3:PutObject" in message


def test_copy_needs_read_on_the_source(served, stack, ann, bob):  # noqa: F811
    ann_id, _, ann_s3 = ann
    bob_id, _, bob_s3 = bob
    bob_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/b.txt", Body=b"b")
    ann_s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/a.txt", Body=b"a")

    ann_s3.copy_object(
        Bucket=stack.bucket,
        Key=f"private/{ann_id}/a-copy.txt",
        CopySource={"Bucket": stack.bucket, "Key": f"private/{ann_id}/a.txt"},
    )
    assert ann_s3.get_object(Bucket=stack.bucket, Key=f"private/{ann_id}/a-copy.txt")["Body"].read() == b"a"
    assert (
        denied(
            lambda: ann_s3.copy_object(
                Bucket=stack.bucket,
                Key=f"private/{ann_id}/stolen.txt",
                CopySource={"Bucket": stack.bucket, "Key": f"private/{bob_id}/b.txt"},
            )
        )
        == "AccessDenied"
    )


def test_multipart_upload_into_own_folder(stack, ann, bob):
    ann_id, _, s3 = ann
    bob_id, _, _ = bob
    key = f"private/{ann_id}/big.bin"
    upload = s3.create_multipart_upload(Bucket=stack.bucket, Key=key)["UploadId"]
    part = s3.upload_part(Bucket=stack.bucket, Key=key, UploadId=upload, PartNumber=1, Body=b"x" * 1024)
    s3.complete_multipart_upload(
        Bucket=stack.bucket,
        Key=key,
        UploadId=upload,
        MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]},
    )

    assert s3.head_object(Bucket=stack.bucket, Key=key)["ContentLength"] == 1024
    assert (
        denied(lambda: s3.create_multipart_upload(Bucket=stack.bucket, Key=f"private/{bob_id}/big.bin"))
        == "AccessDenied"
    )


def test_delete_objects_reports_denied_keys_and_deletes_the_rest(served, stack, ann, bob):  # noqa: F811
    ann_id, _, ann_s3 = ann
    bob_id, _, bob_s3 = bob
    ann_s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/1", Body=b"1")
    bob_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/2", Body=b"2")

    result = ann_s3.delete_objects(
        Bucket=stack.bucket,
        Delete={"Objects": [{"Key": f"private/{ann_id}/1"}, {"Key": f"private/{bob_id}/2"}]},
    )

    assert [d["Key"] for d in result["Deleted"]] == [f"private/{ann_id}/1"]
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [(f"private/{bob_id}/2", "AccessDenied")]
    remaining = served.aws("s3").list_objects_v2(Bucket=stack.bucket)["Contents"]
    assert [o["Key"] for o in remaining] == [f"private/{bob_id}/2"]
    only_denied = ann_s3.delete_objects(Bucket=stack.bucket, Delete={"Objects": [{"Key": f"private/{bob_id}/2"}]})
    assert [e["Code"] for e in only_denied["Errors"]] == ["AccessDenied"]


def test_presigned_urls_carry_the_same_permissions(served, stack, ann, bob):  # noqa: F811
    ann_id, ann_creds, ann_s3 = ann
    bob_id, _, bob_s3 = bob
    bob_s3.put_object(Bucket=stack.bucket, Key=f"private/{bob_id}/b.txt", Body=b"b")
    ann_s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/a b.txt", Body=b"a")
    v4 = served.user_client("s3", ann_creds, config=Config(signature_version="s3v4"))

    for client in (ann_s3, v4):
        own = client.generate_presigned_url(
            "get_object", Params={"Bucket": stack.bucket, "Key": f"private/{ann_id}/a b.txt"}
        )
        other = client.generate_presigned_url(
            "get_object", Params={"Bucket": stack.bucket, "Key": f"private/{bob_id}/b.txt"}
        )
        assert requests.get(own, timeout=5).content == b"a"
        assert requests.get(other, timeout=5).status_code == 403
        assert requests.get(own.replace("a%20b", "b"), timeout=5).status_code == 403  # tampered URL

    expiring = v4.generate_presigned_url(
        "get_object", Params={"Bucket": stack.bucket, "Key": f"private/{ann_id}/a b.txt"}, ExpiresIn=60
    )
    served.front.clock = lambda: time.time() + 120
    assert b"Request has expired" in requests.get(expiring, timeout=5).content


def test_virtual_host_style_addressing(served, stack, ann, bob):  # noqa: F811
    ann_id, creds, _ = ann
    bob_id, _, _ = bob
    signer = S3SigV4Auth(
        Credentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"]), "s3", "us-east-1"
    )

    def put(key: str) -> requests.Response:
        request = AWSRequest(
            method="PUT",
            url=f"{served.url}/{key}",
            data=b"v",
            headers={"Host": f"{stack.bucket}.s3.us-east-1.amazonaws.com"},
        )
        request.headers["X-Amz-Content-SHA256"] = "UNSIGNED-PAYLOAD"
        signer.add_auth(request)
        return requests.put(request.url, data=b"v", headers=dict(request.headers), timeout=5)

    assert put(f"private/{ann_id}/vhost.txt").status_code == 200
    denied_response = put(f"private/{bob_id}/vhost.txt")
    assert denied_response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in denied_response.content
    assert served.aws("s3").get_object(Bucket=stack.bucket, Key=f"private/{ann_id}/vhost.txt")["Body"].read() == b"v"


def test_expired_credentials_get_expired_token(served, stack, ann):  # noqa: F811
    ann_id, _, s3 = ann
    served.front.clock = lambda: time.time() + 3601

    assert denied(lambda: s3.get_object(Bucket=stack.bucket, Key=f"private/{ann_id}/x")) == "ExpiredToken"


def test_wrong_secret_or_session_token_is_refused(served, stack, ann):  # noqa: F811
    ann_id, creds, _ = ann
    wrong_secret = served.user_client("s3", {**creds, "SecretKey": "not-the-secret"})
    wrong_token = served.user_client("s3", {**creds, "SessionToken": "not-the-token"})
    key = f"private/{ann_id}/x"

    assert denied(lambda: wrong_secret.put_object(Bucket=stack.bucket, Key=key, Body=b"x")) == "SignatureDoesNotMatch"
    assert denied(lambda: wrong_token.put_object(Bucket=stack.bucket, Key=key, Body=b"x")) == "InvalidToken"


def test_admin_requests_pass_through_and_see_the_bucket_policy(served, stack):  # noqa: F811
    s3 = served.aws("s3")
    s3.put_object(Bucket=stack.bucket, Key="private/anyone/x", Body=b"x")

    assert s3.get_object(Bucket=stack.bucket, Key="private/anyone/x")["Body"].read() == b"x"
    stored = json.loads(s3.get_bucket_policy(Bucket=stack.bucket)["Policy"])
    assert stored["Statement"][0]["Sid"] == "DenyInsecureTransport"
    s3.delete_bucket_policy(Bucket=stack.bucket)
    assert denied(lambda: s3.get_bucket_policy(Bucket=stack.bucket)) == "NoSuchBucketPolicy"
    assert denied(lambda: s3.put_bucket_policy(Bucket="no-such-bucket-here", Policy="{}")) == "NoSuchBucket"


def test_secure_transport_deny_applies_when_enforced(served, stack, ann):  # noqa: F811
    ann_id, _, s3 = ann
    served.front.enforce_secure_transport = True

    assert denied(lambda: s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/x", Body=b"x")) == "AccessDenied"


def test_bucket_policy_statements_apply_to_the_role(served, stack, ann):  # noqa: F811
    ann_id, _, s3 = ann
    arn = f"arn:aws:s3:::{stack.bucket}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SharedReadable",
                "Effect": "Allow",
                "Principal": {"AWS": stack.role_arn},
                "Action": "s3:GetObject",
                "Resource": f"{arn}/shared/*",
            },
            {
                "Sid": "NoDrafts",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"{arn}/private/*/drafts/*",
            },
        ],
    }
    served.aws("s3").put_bucket_policy(Bucket=stack.bucket, Policy=json.dumps(policy))
    served.aws("s3").put_object(Bucket=stack.bucket, Key="shared/readme.txt", Body=b"shared")

    assert s3.get_object(Bucket=stack.bucket, Key="shared/readme.txt")["Body"].read() == b"shared"
    assert denied(lambda: s3.put_object(Bucket=stack.bucket, Key="shared/readme.txt", Body=b"x")) == "AccessDenied"
    assert (
        denied(lambda: s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/drafts/d.txt", Body=b"x"))
        == "AccessDenied"
    )
    s3.put_object(Bucket=stack.bucket, Key=f"private/{ann_id}/final.txt", Body=b"x")


def test_role_policy_changes_apply_at_once(served, stack, ann):  # noqa: F811
    _, _, s3 = ann
    assert denied(lambda: s3.list_objects_v2(Bucket=stack.bucket)) == "AccessDenied"

    served.aws("iam").put_role_policy(
        RoleName=stack.role_name,
        PolicyName="list-all",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{stack.bucket}"}
                ],
            }
        ),
    )
    assert s3.list_objects_v2(Bucket=stack.bucket)["KeyCount"] == 0

    served.aws("iam").delete_role_policy(RoleName=stack.role_name, PolicyName="list-all")
    assert denied(lambda: s3.list_objects_v2(Bucket=stack.bucket)) == "AccessDenied"


def test_attached_managed_policies_count(served, stack, ann):  # noqa: F811
    _, _, s3 = ann
    iam = served.aws("iam")
    arn = iam.create_policy(
        PolicyName=f"public-read-{stack.bucket}",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{stack.bucket}/public/*"}
                ],
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=stack.role_name, PolicyArn=arn)
    served.aws("s3").put_object(Bucket=stack.bucket, Key="public/p.txt", Body=b"p")

    assert s3.get_object(Bucket=stack.bucket, Key="public/p.txt")["Body"].read() == b"p"
