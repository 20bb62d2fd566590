"""Safe retries of the admins' POST /posts with an Idempotency-Key: in process (every answer checked
against openapi.yaml), and end to end through localcloud's gateway with real Cognito tokens."""

from __future__ import annotations

import os
import uuid

import boto3
import pytest
import requests

from tests.blog.conftest import TEMPLATE
from tests.blog.test_blog_localcloud import Blog
from tests.support.localcloud import unique
from tests.templates.cfn import load_template


@pytest.fixture(scope="module")
def idempotency_table(posts_table):
    props = load_template(TEMPLATE)["Resources"]["IdempotencyTable"]["Properties"]
    boto3.client("dynamodb").create_table(
        TableName=os.environ["IDEMPOTENCY_TABLE"],
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode=props["BillingMode"],
    )


@pytest.fixture
def call(api, clean_table, idempotency_table):
    return api


def _post(call, user, key, title="Hello", body="Text."):
    return call(user, "POST", "/posts", json_body={"title": title, "body": body}, headers={"Idempotency-Key": key})


def test_retries_with_one_key_replay_the_first_201_instead_of_a_409(call):
    key = str(uuid.uuid4())
    answers = [_post(call, "admin", key) for _ in range(5)]
    assert [a.status for a in answers] == [201] * 5, answers[0].body
    assert all(a.json() == answers[0].json() for a in answers)
    assert {a.headers["Location"] for a in answers} == {answers[0].headers["Location"]}
    # without the key, the same create again is the slug clash it always was
    assert call("admin", "POST", "/posts", json_body={"title": "Hello", "body": "Text."}).status == 409


def test_the_same_key_with_another_body_is_422(call):
    key = str(uuid.uuid4())
    assert _post(call, "admin", key).status == 201
    other = _post(call, "admin", key, title="Another")
    assert other.status == 422
    assert other.json()["code"] == "IdempotencyKeyReused"
    assert call("admin", "GET", "/admin/posts/another").status == 404


def test_keys_are_per_admin(call):
    key = str(uuid.uuid4())
    assert _post(call, "admin", key, title="One").status == 201
    theirs = _post(call, "both", key, title="Two")
    assert theirs.status == 201 and theirs.json()["slug"] == "two"


@pytest.mark.parametrize("key", ["k" * 129, "no spaces", "ü"])
def test_a_malformed_key_is_400(call, key):
    reply = _post(call, "admin", key)
    assert reply.status == 400 and reply.json()["code"] == "InvalidIdempotencyKey"
    assert call("admin", "GET", "/admin/posts/hello").status == 404


def test_a_non_admin_is_refused_before_the_key_is_looked_at(call):
    assert _post(call, "reader", "not a valid key").status == 403


# ---- end to end ---------------------------------------------------------------------------------


def test_localcloud_five_retries_make_one_post_and_another_body_is_422(localcloud):
    blog = Blog(localcloud)  # through the CDN's /api/* to the gateway, as the admin pages call it
    token = blog.token("editor", "admins")
    slug, key = unique("retried"), str(uuid.uuid4())
    body = {"slug": slug, "title": "Retried", "body": "Once."}

    def post(payload: dict) -> requests.Response:
        return blog.api("POST", "/posts", token, json=payload, headers={"Idempotency-Key": key})

    answers = [post(body) for _ in range(5)]
    assert [a.status_code for a in answers] == [201] * 5, answers[0].text  # not 201 and four 409s
    assert all(a.json() == answers[0].json() for a in answers)
    stored = blog.api("GET", f"/admin/posts/{slug}", token)
    assert stored.status_code == 200 and stored.json()["version"] == 1

    other = post({**body, "title": "Changed"})
    assert other.status_code == 422 and other.json()["code"] == "IdempotencyKeyReused"
    assert blog.api("GET", f"/admin/posts/{slug}", token).json() == stored.json()
