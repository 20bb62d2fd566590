"""Both handlers fed their sample events (events/media/) and variations of them, on moto: the upload API's
admin rule and 400s, the thumbnail queue's outcomes, quarantine, idempotency and partial batch failures."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.media import images
from tests.media.conftest import BUCKET
from tests.todos.client import FakeLambdaContext

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "media"
SCHEMAS = ROOT / "events" / "schemas"
SAMPLE_KEY = "uploads/3f2b8c1e-5d4a-4e6f-9b7c-1a2d3e4f5a6b.jpg"


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def check_event(envelope: dict) -> None:
    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    # the files say "https://json-schema.org/draft-07/schema#", which jsonschema does not know as draft 7
    registry = Registry().with_resources((name, DRAFT7.create_resource(s)) for name, s in schemas.items())
    schema = schemas[f"{envelope['type']}.v{envelope['version']}.schema.json"]
    jsonschema.Draft7Validator(schema, registry=registry, format_checker=jsonschema.FormatChecker()).validate(envelope)


def upload_event(body: object, groups: str | None = "admins", raw: str | None = None) -> dict:
    event = sample("create-upload.json")
    event["body"] = raw if raw is not None else json.dumps(body)
    claims = event["requestContext"]["authorizer"]["claims"]
    if groups is None:
        claims.pop("cognito:groups", None)
    else:
        claims["cognito:groups"] = groups
    return event


def call_upload(event: dict) -> tuple[int, dict]:
    from media.handlers import uploads

    response = uploads.handler(event, FakeLambdaContext("CreateUploadFunction"))
    return response["statusCode"], json.loads(response["body"])


def thumbnails_event(*keys: str) -> dict:
    event = sample("make-thumbnails.json")
    template = event["Records"][0]
    records = []
    for index, key in enumerate(keys):
        record = copy.deepcopy(template)
        record["messageId"] = f"message-{index}"
        notification = json.loads(record["body"])
        notification["Records"][0]["s3"]["object"]["key"] = key.replace("/", "%2F")  # moto's encoding
        record["body"] = json.dumps(notification)
        records.append(record)
    return {"Records": records}


def call_thumbnails(event: dict) -> dict:
    from media.handlers import thumbnails

    return thumbnails.handler(event, FakeLambdaContext("MakeThumbnailsFunction"))


def put_upload(cloud, key: str, body: bytes, content_type: str = "image/jpeg") -> None:
    cloud.s3.put_object(Bucket=BUCKET, Key=key, Body=body, ContentType=content_type)


# the upload API --------------------------------------------------------------------------------------


def test_the_sample_upload_event_gets_a_presigned_post_pinning_key_type_and_size(cloud):
    status, body = call_upload(sample("create-upload.json"))
    assert status == 201
    assert body["key"] == f"uploads/{body['id']}.jpg"
    policy = json.loads(base64.b64decode(body["fields"]["policy"]))
    conditions = policy["conditions"]
    assert {"key": body["key"]} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert ["content-length-range", 1, 4718592] in conditions
    assert {"bucket": BUCKET} in conditions
    assert body["fields"]["Content-Type"] == "image/jpeg"


@pytest.mark.parametrize("groups", [None, "users", "[users]", "administrators"])
def test_only_admins_get_an_upload(cloud, groups):
    status, body = call_upload(upload_event({"filename": "a.jpg", "contentType": "image/jpeg", "size": 10}, groups))
    assert (status, body["code"]) == (403, "NotAnAdmin")


@pytest.mark.parametrize("groups", ["admins", "users,admins", "[users admins]"])
def test_admins_in_several_groups_are_admins(cloud, groups):
    status, _ = call_upload(upload_event({"filename": "a.png", "contentType": "image/png", "size": 10}, groups))
    assert status == 201


@pytest.mark.parametrize(
    "body",
    [
        {"filename": "a.gif", "contentType": "image/gif", "size": 10},
        {"filename": "a.svg", "contentType": "image/svg+xml", "size": 10},
        {"filename": "a.jpg", "contentType": "image/jpeg", "size": 25 * 1024 * 1024 + 1},
        {"filename": "a.jpg", "contentType": "image/jpeg", "size": 0},
        {"filename": "a.jpg", "contentType": "image/jpeg", "size": "10"},
        {"filename": "a.jpg", "contentType": "image/jpeg"},
        {"filename": "", "contentType": "image/jpeg", "size": 10},
        {"filename": "../../etc/passwd", "contentType": "image/jpeg", "size": 10},
        {"filename": "a.png", "contentType": "image/jpeg", "size": 10},
        {"filename": "a.jpg", "contentType": "image/jpeg", "size": 10, "key": "renditions/x/320.jpg"},
        [],
    ],
    ids=["gif", "svg", "over-25MB", "zero", "size-string", "no-size", "no-name", "path", "ext-mismatch", "key", "list"],
)
def test_anything_else_is_a_400_before_any_url_is_issued(cloud, body):
    status, answer = call_upload(upload_event(body))
    assert status == 400, answer
    assert "url" not in answer and answer["code"]


def test_a_body_that_is_not_json_is_a_400(cloud):
    status, answer = call_upload(upload_event(None, raw="{nope"))
    assert (status, answer["code"]) == (400, "InvalidJson")


# the thumbnail queue ---------------------------------------------------------------------------------


def test_the_sample_queue_event_renders_and_announces_once(cloud):
    put_upload(cloud, SAMPLE_KEY, images.jpeg((2400, 1800), gps=True))
    assert call_thumbnails(sample("make-thumbnails.json")) == {"batchItemFailures": []}
    upload_id = SAMPLE_KEY.split("/")[1].split(".")[0]
    assert sorted(cloud.keys("renditions/")) == sorted(
        f"renditions/{upload_id}/{w}.{ext}" for w in (320, 800, 1600) for ext in ("jpg", "webp")
    )
    head = cloud.s3.head_object(Bucket=BUCKET, Key=f"renditions/{upload_id}/800.webp")
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentType"] == "image/webp"
    (event,) = cloud.events()
    check_event(event)
    assert event["type"] == "MediaProcessed" and event["source"] == "media"
    assert (event["data"]["width"], event["data"]["height"]) == (2400, 1800)
    assert {r["key"] for r in event["data"]["renditions"]} == set(cloud.keys("renditions/"))


def test_the_same_upload_twice_gives_the_same_renditions_and_one_event(cloud):
    put_upload(cloud, SAMPLE_KEY, images.jpeg((1700, 1000)))
    call_thumbnails(sample("make-thumbnails.json"))
    first = {k: cloud.s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in cloud.keys("renditions/")}
    call_thumbnails(sample("make-thumbnails.json"))
    from media import wiring

    wiring.use_processor(None)  # a new cold start: only the idempotency table remembers
    call_thumbnails(sample("make-thumbnails.json"))
    second = {k: cloud.s3.get_object(Bucket=BUCKET, Key=k)["Body"].read() for k in cloud.keys("renditions/")}
    assert first == second
    assert [e["type"] for e in cloud.events()] == ["MediaProcessed"]


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (images.png_with_alpha(), "image/jpeg", "unsupported-format"),
        (images.truncated_jpeg(), "image/jpeg", "truncated"),
        (images.pdf(), "image/jpeg", "unsupported-format"),
        (b"", "image/jpeg", "empty"),
        (images.huge_header_jpeg(), "image/jpeg", "decompression-bomb"),
        (images.jpeg((100, 100)), "application/pdf", "unsupported-format"),
    ],
    ids=["png-as-jpg", "truncated", "pdf-renamed", "zero-bytes", "huge-header", "wrong-stored-type"],
)
def test_a_bad_file_is_quarantined_announced_and_not_retried(cloud, body, content_type, reason):
    put_upload(cloud, SAMPLE_KEY, body, content_type)
    assert call_thumbnails(sample("make-thumbnails.json")) == {"batchItemFailures": []}
    assert cloud.keys("uploads/") == [] and cloud.keys("renditions/") == []
    assert cloud.keys("quarantine/") == [SAMPLE_KEY.replace("uploads/", "quarantine/")]
    (event,) = cloud.events()
    check_event(event)
    assert event["type"] == "MediaRejected" and event["data"]["reason"] == reason


def test_a_png_bomb_uploaded_as_png_is_a_decompression_bomb(cloud):
    key = SAMPLE_KEY.replace(".jpg", ".png")
    put_upload(cloud, key, images.png_bomb(), "image/png")
    call_thumbnails(thumbnails_event(key))
    (event,) = cloud.events()
    assert event["data"]["reason"] == "decompression-bomb"
    assert cloud.keys("quarantine/") == [key.replace("uploads/", "quarantine/")]


def test_a_key_the_api_never_issued_is_quarantined_without_an_event(cloud):
    put_upload(cloud, "uploads/holiday.jpg", images.jpeg((400, 300)))
    assert call_thumbnails(thumbnails_event("uploads/holiday.jpg")) == {"batchItemFailures": []}
    assert cloud.keys("quarantine/") == ["quarantine/holiday.jpg"] and cloud.events() == []


def test_a_transient_failure_fails_only_its_own_message(cloud, monkeypatch):
    good = SAMPLE_KEY
    other = "uploads/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.jpg"
    put_upload(cloud, good, images.jpeg((900, 600)))
    put_upload(cloud, other, images.jpeg((900, 600)))
    from media.dal.s3 import S3MediaStore

    original = S3MediaStore.read

    def flaky(self, key):
        if key == other:
            raise ConnectionError("S3 had a moment")
        return original(self, key)

    monkeypatch.setattr(S3MediaStore, "read", flaky)
    result = call_thumbnails(thumbnails_event(good, other))
    assert result == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}
    assert cloud.keys("uploads/") == sorted([good, other])  # the failed one stays for its retry
    monkeypatch.setattr(S3MediaStore, "read", original)
    assert call_thumbnails(thumbnails_event(other)) == {"batchItemFailures": []}
    assert [e["type"] for e in cloud.events()] == ["MediaProcessed", "MediaProcessed"]


def test_s3_test_events_and_vanished_uploads_are_no_ops(cloud):
    event = sample("make-thumbnails.json")
    event["Records"] = event["Records"][1:]  # S3's s3:TestEvent alone
    assert call_thumbnails(event) == {"batchItemFailures": []}
    assert call_thumbnails(sample("make-thumbnails.json")) == {"batchItemFailures": []}  # nothing uploaded
    assert cloud.events() == [] and cloud.keys() == []
