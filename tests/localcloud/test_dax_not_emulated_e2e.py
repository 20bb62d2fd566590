"""The root template with EnableDax=true runs on localcloud: DAX is not emulated, so the todos and blog API
functions get an empty DAX endpoint and read and write DynamoDB directly; `up` says so in one line. Driven
over HTTP with real Cognito tokens, as a client would."""

from __future__ import annotations

import pytest
import requests

from tests.support.localcloud import DEMO_PASSWORD, ROOT, LocalCloudProcess

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    state = tmp_path_factory.mktemp("dax")
    process = LocalCloudProcess(ROOT / "template.yaml", state, state / "log.txt", extra=("--param", "EnableDax=true"))
    yield process.start(timeout=300)
    process.stop()


def test_it_starts_without_errors_and_says_dax_is_not_emulated(cloud):
    assert cloud.endpoints["errors"] == []
    lines = [line for line in cloud.log_path.read_text().splitlines() if "DAX is not emulated" in line]
    assert sorted(line.split(": ", 1)[1].split("'")[0] for line in lines) == ["Blog/DaxCluster", "Todos/DaxCluster"]
    assert all("reads and writes go to DynamoDB directly" in line for line in lines)


def test_todos_create_and_list_through_the_api(cloud):
    api = cloud.api_url("Todos/TodosApi")
    headers = {"Authorization": cloud.tokens("dax-user")["IdToken"]}
    created = requests.post(f"{api}/todos", json={"title": "cached or not"}, headers=headers, timeout=30)
    assert created.status_code == 201, created.text
    listed = requests.get(f"{api}/todos", headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    assert [t["title"] for t in listed.json()["items"]] == ["cached or not"]
    table = cloud.endpoints["outputs"]["Todos"]["TableName"]
    assert cloud.aws("dynamodb").scan(TableName=table)["Count"] == 1  # the write reached DynamoDB itself


def test_blog_publish_and_list_through_the_api(cloud):
    api = cloud.api_url("Blog/BlogApi")
    tokens = cloud.tokens("dax-editor")
    cognito = cloud.endpoints["cognito"]
    idp = cloud.aws("cognito-idp")
    idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username="dax-editor@example.com",
                                GroupName="admins")  # fmt: skip
    login = {"USERNAME": "dax-editor@example.com", "PASSWORD": DEMO_PASSWORD}
    admin = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
    headers = {"Authorization": admin["AuthenticationResult"]["IdToken"]}
    assert tokens["IdToken"] != headers["Authorization"]
    created = requests.post(f"{api}/posts", json={"title": "Through DynamoDB", "body": "*hi*"}, headers=headers,
                            timeout=30)  # fmt: skip
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    assert requests.post(f"{api}/posts/{slug}/publish", headers=headers, timeout=30).status_code == 200
    listed = requests.get(f"{api}/posts", timeout=30)
    assert listed.status_code == 200, listed.text
    assert [p["slug"] for p in listed.json()["items"]] == [slug]
    assert requests.get(f"{api}/posts/{slug}", timeout=30).json()["html"].strip() == "<p><em>hi</em></p>"
