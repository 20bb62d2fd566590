"""Fixtures for the blog service tests: moto tables, topic and bucket made from the template, and the
handlers called in process with the sample events under events/blog/."""

from __future__ import annotations

import copy
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.fake_aws_env import FAKE_AWS_ENV

# Settings are read at import (cold start) and tests must never reach AWS.
os.environ.update(FAKE_AWS_ENV)
BLOG_ENV = {
    "TABLE_NAME": "blog-posts-test",
    "CURSOR_KEY": "blog-test-cursor-key",
    "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:blog-events-test",
    "IDEMPOTENCY_TABLE": "blog-idempotency-test",
    "SITE_BUCKET": "blog-site-test",
    "SITE_URL": "https://blog.example.com",
    "DISTRIBUTION_ID": "EBLOGTEST",
    "POWERTOOLS_SERVICE_NAME": "blog",
    "POWERTOOLS_METRICS_NAMESPACE": "platform",
}
for _name, _value in BLOG_ENV.items():
    os.environ.setdefault(_name, _value)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from requests.structures import CaseInsensitiveDict  # noqa: E402

from tests.support.openapi import OpenApi, Response  # noqa: E402
from tests.templates.cfn import load_template  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "blog"
TEMPLATE = "services/blog/template.yaml"
CONTRACT = OpenApi(ROOT / "services" / "blog" / "openapi.yaml")


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def posts_table_definition() -> dict:
    props = load_template(TEMPLATE)["Resources"]["PostsTable"]["Properties"]
    return {
        "TableName": os.environ["TABLE_NAME"],
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"],
        "BillingMode": props["BillingMode"],
        "StreamSpecification": {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        },
    }


@pytest.fixture(scope="module")
def aws():
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        with mock_aws():
            yield


@pytest.fixture(scope="module")
def posts_table(aws):
    boto3.client("dynamodb").create_table(**posts_table_definition())
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@pytest.fixture
def clean_table(posts_table):
    yield posts_table
    for item in posts_table.scan(ProjectionExpression="slug")["Items"]:
        posts_table.delete_item(Key={"slug": item["slug"]})


@dataclass
class FakeContext:
    function_name: str = "blog-test"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:blog-test"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


ROUTES = {
    ("GET", "/posts"): "list-posts.json",
    ("GET", "/posts/popular"): "popular-posts.json",
    ("GET", "/posts/{slug}"): "get-post.json",
    ("POST", "/posts"): "create-post.json",
    ("GET", "/admin/posts/{slug}"): "get-admin-post.json",
    ("PUT", "/posts/{slug}"): "replace-post.json",
    ("PATCH", "/posts/{slug}"): "update-post.json",
    ("DELETE", "/posts/{slug}"): "delete-post.json",
    ("POST", "/posts/{slug}/publish"): "publish-post.json",
    ("POST", "/posts/{slug}/unpublish"): "unpublish-post.json",
    ("POST", "/posts/{slug}/views"): "record-view.json",  # API Gateway → Kinesis, no function
}
USERS = {
    "admin": {"sub": "0b6c9a52-6f57-4d0c-9a2a-1f1e2d3c4b5a", "cognito:groups": "admins"},
    "both": {"sub": "1c7d0b63-7068-4e1d-8b3b-2f2e3d4c5b6a", "cognito:groups": "users,admins"},
    "reader": {"sub": "2d8e1c74-8179-4f2e-9c4c-3f3e4d5c6b7a", "cognito:groups": "users"},
    "nogroup": {"sub": "3e9f2d85-928a-4a3f-8d5d-4f4e5d6c7b8a"},
}


def _route(method: str, path: str) -> tuple[str, dict | None]:
    parts = [p for p in path.split("/") if p]
    candidates = {
        ("posts",): ("/posts", None),
        ("posts", "popular"): ("/posts/popular", None),
    }
    if tuple(parts) in candidates and (method, candidates[tuple(parts)][0]) in ROUTES:
        return candidates[tuple(parts)]
    if len(parts) == 2 and parts[0] == "posts":
        return "/posts/{slug}", {"slug": parts[1]}
    if len(parts) == 3 and parts[0] == "admin":
        return "/admin/posts/{slug}", {"slug": parts[2]}
    if len(parts) == 3 and parts[0] == "posts":
        return f"/posts/{{slug}}/{parts[2]}", {"slug": parts[1]}
    raise ValueError(f"no route for {method} {path}")


@dataclass
class Reply:
    status: int
    headers: dict
    body: str

    def json(self):
        return json.loads(self.body)


class InProcessApi:
    """The API as API Gateway calls it after its Cognito authorizer: public routes to the read handler,
    admin routes to the write handler (which checks the group)."""

    def __init__(self, read_handler, write_handler):
        self.read_handler, self.write_handler = read_handler, write_handler

    def __call__(self, user, method, path, *, json_body=None, raw=None, headers=None, query=None) -> Reply:
        resource, params = _route(method, path)
        event = copy.deepcopy(sample(ROUTES[(method, resource)]))
        event.update(path=path, pathParameters=params, resource=resource, httpMethod=method)
        keep = {k: v for k, v in event["headers"].items() if k.lower() not in ("content-type", "if-match")}
        if json_body is not None:
            raw = json.dumps(json_body)
            keep["Content-Type"] = "application/json"
        keep.update(headers or {})
        event["headers"] = keep
        event["multiValueHeaders"] = {k: [v] for k, v in keep.items()}
        event["queryStringParameters"] = query
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
        event["body"] = raw
        context = event["requestContext"]
        context.update(path=f"/api{path}", resourcePath=resource, httpMethod=method)
        if user is None:
            context.pop("authorizer", None)
        else:
            claims = dict(sample("create-post.json")["requestContext"]["authorizer"]["claims"])
            claims.pop("cognito:groups", None)
            context["authorizer"] = {"claims": {**claims, **USERS[user]}}
        handler = self.read_handler if method == "GET" and not resource.startswith("/admin") else self.write_handler
        response = handler(event, FakeContext())
        headers = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items()}
        headers.update(response.get("headers") or {})
        reply = Reply(response["statusCode"], headers, response.get("body") or "")
        seen = Response(reply.status, CaseInsensitiveDict(headers), reply.body.encode())
        CONTRACT.check_response(method, path, seen)  # every answer of every test is one openapi.yaml declares
        return reply


@pytest.fixture(scope="module")
def api(posts_table):
    from blog import wiring
    from blog.handlers import read, write

    wiring.use(None)
    yield InProcessApi(read.handler, write.handler)
    wiring.use(None)
