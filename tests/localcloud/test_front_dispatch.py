"""MotoDispatch answers every request exactly as moto's own Flask dispatcher does, and takes its direct
path for the SDK calls localcloud serves all day."""

from __future__ import annotations

import json
import re

import moto.server
import pytest
from werkzeug.test import EnvironBuilder

from localcloud.front.dispatch import MotoDispatch

AUTH = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
VOLATILE_HEADERS = {"x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "date", "x-amz-crc32", "last-modified"}
UUID = rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
VOLATILE_BODY = re.compile(rb"(<RequestId>|\"RequestId\": ?\"|<requestId>|<HostId>)[^<\"]*|" + UUID)


@pytest.fixture(scope="module")
def apps():
    moto.server.DomainDispatcherApplication  # noqa: B018 (import side effect: moto's server modules)
    from moto.moto_api._internal.models import moto_api_backend

    moto_api_backend.reset()
    fallback = moto.server.DomainDispatcherApplication(moto.server.create_backend_app)
    yield MotoDispatch(fallback), fallback
    moto_api_backend.reset()


def call(app, method: str, path: str, service: str, body: bytes = b"", headers: dict | None = None) -> tuple:
    all_headers = {"Authorization": AUTH.format(service=service), "Host": "127.0.0.1:4566", **(headers or {})}
    environ = EnvironBuilder(path=path, method=method, headers=all_headers, data=body).get_environ()
    environ["RAW_URI"] = environ["REQUEST_URI"] = path  # as the endpoint's server sets them
    captured: list = []
    chunks = app(environ, lambda status, hdrs, exc_info=None: captured.extend([status, hdrs]))
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    status, hdrs = captured
    kept = sorted((k.lower(), v) for k, v in hdrs if k.lower() not in VOLATILE_HEADERS)
    return status, kept, VOLATILE_BODY.sub(b"", data)


def json_call(target: str, service: str, payload: dict, version: str = "1.0") -> tuple:
    headers = {"X-Amz-Target": target, "Content-Type": f"application/x-amz-json-{version}"}
    return "POST", "/", service, json.dumps(payload).encode(), headers


def query_call(service: str, form: str) -> tuple:
    return "POST", "/", service, form.encode(), {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def same(apps, *request, fast: bool = True) -> tuple:
    """Send `request` through both dispatchers (direct first) and check they answer alike."""
    direct, fallback = apps
    before = direct.fast_requests
    ours = call(direct, *request)
    assert (direct.fast_requests == before + 1) is fast
    theirs = call(fallback, *request)
    assert ours == theirs
    return ours


TABLE = {
    "TableName": "t",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_dynamodb_reads_and_errors_answer_alike(apps):
    call(apps[0], *json_call("DynamoDB_20120810.CreateTable", "dynamodb", TABLE))
    call(apps[0], *json_call("DynamoDB_20120810.PutItem", "dynamodb", {"TableName": "t", "Item": {"pk": {"S": "a"}}}))
    status, _, body = same(
        apps, *json_call("DynamoDB_20120810.GetItem", "dynamodb", {"TableName": "t", "Key": {"pk": {"S": "a"}}})
    )
    assert status.startswith("200") and json.loads(body) == {"Item": {"pk": {"S": "a"}}}
    status, _, body = same(apps, *json_call("DynamoDB_20120810.GetItem", "dynamodb", {"TableName": "nope", "Key": {}}))
    assert status.startswith("400") and b"ResourceNotFoundException" in body
    same(
        apps,
        *json_call(
            "DynamoDB_20120810.Query",
            "dynamodb",
            {"TableName": "t", "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "a"}}},
        ),
    )
    same(apps, *json_call("DynamoDB_20120810.Scan", "dynamodb", {"TableName": "t"}))


def test_sqs_sns_answer_alike(apps):
    call(apps[0], *json_call("AmazonSQS.CreateQueue", "sqs", {"QueueName": "q"}))
    same(
        apps,
        *json_call(
            "AmazonSQS.GetQueueAttributes",
            "sqs",
            {"QueueUrl": "http://127.0.0.1:4566/123456789012/q", "AttributeNames": ["All"]},
        ),
    )
    same(apps, *json_call("AmazonSQS.ReceiveMessage", "sqs", {"QueueUrl": "http://127.0.0.1:4566/123456789012/nope"}))
    call(apps[0], *query_call("sns", "Action=CreateTopic&Name=t&Version=2010-03-31"))
    same(apps, *query_call("sns", "Action=ListTopics&Version=2010-03-31"))
    same(
        apps,
        *query_call(
            "sns",
            "Action=GetTopicAttributes&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Anope&Version=2010-03-31",
        ),
    )


def test_s3_objects_head_and_errors_answer_alike(apps):
    call(apps[0], "PUT", "/bucket-one", "s3")
    call(
        apps[0],
        "PUT",
        "/bucket-one/dir%2Fkey%20x",
        "s3",
        b"hello",
        {"x-amz-meta-owner": "me", "Content-Type": "text/plain"},
    )
    status, headers, body = same(apps, "GET", "/bucket-one/dir%2Fkey%20x", "s3")
    assert status.startswith("200") and body == b"hello" and ("x-amz-meta-owner", "me") in headers
    status, headers, body = same(apps, "HEAD", "/bucket-one/dir%2Fkey%20x", "s3")
    assert body == b"" and ("content-length", "5") in headers
    assert same(apps, "GET", "/bucket-one/missing", "s3")[0].startswith("404")
    same(apps, "GET", "/bucket-one", "s3", b"", {})
    same(apps, "GET", "/bucket-one?list-type=2&prefix=dir", "s3")
    same(apps, "GET", "/nobucket/k", "s3")
    same(apps, "GET", "/bucket-one/dir%2Fkey%20x", "s3", b"", {"Range": "bytes=0-1"})


def test_cors_requests_and_the_moto_api_go_to_moto(apps):
    same(apps, "GET", "/bucket-one/dir%2Fkey%20x", "s3", b"", {"Origin": "http://localhost:3000"}, fast=False)
    same(
        apps,
        "OPTIONS",
        "/bucket-one/dir%2Fkey%20x",
        "s3",
        b"",
        {"Origin": "http://x", "Access-Control-Request-Method": "GET"},
        fast=False,
    )
    direct, _ = apps
    before = direct.fast_requests
    status, _, _ = call(direct, "GET", "/moto-api/data.json", "s3")
    assert status.startswith("200") and direct.fast_requests == before


def test_an_sdk_call_without_an_origin_gets_flask_cors_wildcard(apps):
    _, headers, _ = same(apps, *json_call("DynamoDB_20120810.ListTables", "dynamodb", {}))
    assert ("access-control-allow-origin", "*") in headers
