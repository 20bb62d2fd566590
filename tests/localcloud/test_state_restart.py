"""State survives a restart of `localcloud up` on the real root template, as a developer who lives in
`make dev` needs: data, ids and tokens are the same after Ctrl-C and a new `up`; `--fresh` starts empty."""

from __future__ import annotations

import json
import re

import pytest
import requests

from tests.support.localcloud import DEMO_PASSWORD

pytestmark = pytest.mark.localcloud


def stable(endpoints: dict) -> dict:
    """endpoints.json without its ports, which `--port 0` picks anew each run."""
    return json.loads(re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", json.dumps(endpoints)))


def test_data_ids_tokens_and_a_pending_sign_up_survive_a_restart(restartable):
    cloud = restartable()
    api = cloud.api_url("Todos/TodosApi")
    tokens = cloud.tokens("dana")
    headers = {"Authorization": tokens["IdToken"]}
    created = requests.post(f"{api}/todos", json={"title": "keep me"}, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    identity_id, creds = cloud.identity_credentials("dana")
    bucket = cloud.endpoints["outputs"]["Todos"]["FilesBucketName"]
    cloud.aws("s3", **creds).put_object(Bucket=bucket, Key=f"private/{identity_id}/a.txt", Body=b"still here")
    pool = cloud.endpoints["cognito"]["userPoolId"]
    cloud.aws("cognito-idp").admin_add_user_to_group(UserPoolId=pool, Username="dana@example.com", GroupName="admins")
    cloud.aws("ssm").put_parameter(Name="/dev/notes/feature", Value="on", Type="String")
    client_id = cloud.endpoints["cognito"]["clientId"]
    cloud.aws("cognito-idp").sign_up(
        ClientId=client_id, Username="fay@example.com", Password=DEMO_PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "fay@example.com"}],
    )  # fmt: skip
    before = stable(cloud.endpoints)
    cloud.stop()

    again = restartable()
    assert stable(again.endpoints) == before
    # the token issued before the restart still verifies, and the item is there
    listed = requests.get(f"{api.replace(cloud.base, again.base)}/todos", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    assert [t["title"] for t in listed.json()["items"]] == ["keep me"]
    # so do the identity-pool credentials issued before the restart
    s3 = again.aws("s3", **creds)
    assert s3.get_object(Bucket=bucket, Key=f"private/{identity_id}/a.txt")["Body"].read() == b"still here"
    # the password, the group and the identity id are kept
    idp = again.aws("cognito-idp")
    signed_in = idp.initiate_auth(
        ClientId=again.endpoints["cognito"]["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "dana@example.com", "PASSWORD": DEMO_PASSWORD},
    )["AuthenticationResult"]
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="dana@example.com")["Groups"]
    assert {g["GroupName"] for g in groups} == {"admins"}
    again._tokens["dana"] = signed_in
    assert again.identity_credentials("dana")[0] == identity_id
    assert again.aws("ssm").get_parameter(Name="/dev/notes/feature")["Parameter"]["Value"] == "on"
    # the sign-up code sent before the restart confirms after it
    outbox = requests.get(f"{again.base}/_local/api/outbox", timeout=30).json()
    [mail] = [m for m in outbox if "fay@example.com" in json.dumps(m)]
    code = re.search(r"\b\d{6}\b", mail["text"] or mail["html"]).group(0)
    idp.confirm_sign_up(ClientId=client_id, Username="fay@example.com", ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool, Username="fay@example.com")["UserStatus"] == "CONFIRMED"


def test_fresh_starts_empty_and_keeps_the_old_state_aside(restartable, tmp_path):
    cloud = restartable()
    cloud.tokens("erin")
    cloud.stop()
    again = restartable("--fresh")
    users = again.aws("cognito-idp").list_users(UserPoolId=again.endpoints["cognito"]["userPoolId"])["Users"]
    assert users == []
    assert (tmp_path / "state.db.before-fresh").exists()
    assert "--fresh: starting empty" in again.log_path.read_text()
