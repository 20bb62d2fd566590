"""attach-cover in this process against a moto posts table: the MediaProcessed contract (the samples the
published schema accepts, malformed messages refused), renditions on every post whose cover is that
upload, idempotence, other uploads and types ignored, and the handler fed the events/blog sample."""

from __future__ import annotations

import copy
import json
import os

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
os.environ.setdefault("POSTS_TABLE", "posts-test")  # read when the handler is imported
os.environ.setdefault("COVERS_TABLE", "covers-test")

import boto3
import jsonschema
import pytest
from blog.covers import handler as covers_handler
from blog.covers import schema
from blog.covers.logic import InvalidMessage
from moto import mock_aws
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.blog.views_support import COVERS, ROOT, TABLE, create_covers_table, create_posts_table
from tests.todos.client import FakeLambdaContext

SAMPLE = ROOT / "events/blog/attach-cover.json"
SCHEMAS = ROOT / "events/schemas"
MEDIA_ID = "0b6f4c6e-3a4b-4c8d-9e2f-1a2b3c4d5e6f"
OTHER_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
CONTEXT = FakeLambdaContext("AttachCoverFunction")


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def envelope() -> dict:
    return json.loads(sample()["Records"][0]["body"])


def event_of(*bodies: dict | str) -> dict:
    record = sample()["Records"][0]
    return {
        "Records": [
            {**copy.deepcopy(record), "messageId": f"m{n}", "body": b if isinstance(b, str) else json.dumps(b)}
            for n, b in enumerate(bodies)
        ]
    }


def published_schema_accepts(message: dict) -> bool:
    """The contract as events/schemas/ publishes it, checked with jsonschema (not the function's code).
    The files name draft 7 as `https://json-schema.org/draft-07/schema#`, which jsonschema does not know
    (its id is http://), so the dialect is given."""
    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources((name, DRAFT7.create_resource(s)) for name, s in schemas.items())
    validator = jsonschema.Draft7Validator(schemas["MediaProcessed.v1.schema.json"], registry=registry)
    return validator.is_valid(message)


def test_the_sample_is_a_valid_media_processed_message():
    assert published_schema_accepts(envelope())
    assert schema.SCHEMAS.resolve() == SCHEMAS.resolve()  # the package reads the published files


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.pop("id"),
        lambda m: m.update(version=2),
        lambda m: m.update(source="blog"),
        lambda m: m["data"].update(id="not-a-uuid"),
        lambda m: m["data"].update(renditions=[]),
        lambda m: m["data"]["renditions"][0].update(key="uploads/x.jpg"),
        lambda m: m["data"]["renditions"][0].pop("width"),
        lambda m: m["data"].update(extra=1),
        lambda m: m["data"].update(width=0),
    ],
)
def test_the_function_refuses_what_the_published_schema_refuses(change):
    message = envelope()
    change(message)
    assert not published_schema_accepts(message)
    with pytest.raises(InvalidMessage):
        covers_handler.service().handle(json.dumps(message))


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_posts_table(client)
        create_covers_table(client)
        covers_handler.use(None)
        yield client
        covers_handler.use(None)


def put_post(dynamodb, slug: str, cover_id: str | None, alt: str = "A lighthouse") -> None:
    item = {"slug": {"S": slug}, "title": {"S": slug}, "views": {"N": "7"}}
    if cover_id:
        item["coverId"] = {"S": cover_id}
        item["cover"] = {"M": {"id": {"S": cover_id}, "alt": {"S": alt}}}
    dynamodb.put_item(TableName=TABLE, Item=item)


def post(slug: str) -> dict:
    return boto3.resource("dynamodb", region_name="us-east-1").Table(TABLE).get_item(Key={"slug": slug})["Item"]


def test_the_sample_attaches_the_renditions_to_every_post_with_that_cover(dynamodb):
    put_post(dynamodb, "hello-world", MEDIA_ID)
    put_post(dynamodb, "second-post", MEDIA_ID, alt="The same photo")
    put_post(dynamodb, "other-cover", OTHER_ID)
    put_post(dynamodb, "no-cover", None)
    assert covers_handler.handler(sample(), CONTEXT) == {"batchItemFailures": []}
    cover = post("hello-world")["cover"]
    assert cover["alt"] == "A lighthouse" and cover["id"] == MEDIA_ID
    assert (cover["width"], cover["height"]) == (4032, 3024)
    assert len(cover["renditions"]) == 6
    first = cover["renditions"][0]
    assert first == {"url": f"/media/renditions/{MEDIA_ID}/320.webp", "key": f"renditions/{MEDIA_ID}/320.webp",
                     "width": 320, "height": 240, "format": "webp", "bytes": 12800}  # fmt: skip
    assert post("second-post")["cover"]["alt"] == "The same photo"
    assert post("second-post")["cover"]["renditions"] == cover["renditions"]
    assert post("other-cover")["cover"] == {"id": OTHER_ID, "alt": "A lighthouse"}
    assert "cover" not in post("no-cover") and post("hello-world")["views"] == 7


def test_a_redelivered_event_writes_nothing(dynamodb):
    put_post(dynamodb, "hello-world", MEDIA_ID)
    assert covers_handler.service().handle(json.dumps(envelope())) == ["hello-world"]
    before = post("hello-world")
    assert covers_handler.service().handle(json.dumps(envelope())) == []
    assert post("hello-world") == before


def test_an_upload_no_post_uses_and_other_message_types_change_nothing(dynamodb):
    put_post(dynamodb, "hello-world", OTHER_ID)
    rejected = {**envelope(), "type": "MediaRejected", "data": {"id": MEDIA_ID, "reason": "not an image"}}
    assert covers_handler.handler(event_of(envelope(), rejected), CONTEXT) == {"batchItemFailures": []}
    assert post("hello-world")["cover"] == {"id": OTHER_ID, "alt": "A lighthouse"}


def test_an_sns_notification_around_the_envelope_is_read_too(dynamodb):
    put_post(dynamodb, "hello-world", MEDIA_ID)
    wrapped = {"Type": "Notification", "MessageId": "x", "Message": json.dumps(envelope())}
    assert covers_handler.handler(event_of(wrapped), CONTEXT) == {"batchItemFailures": []}
    assert len(post("hello-world")["cover"]["renditions"]) == 6


def test_a_malformed_message_is_the_one_failed_item_of_its_batch(dynamodb):
    put_post(dynamodb, "hello-world", MEDIA_ID)
    bad = {**envelope(), "data": {"id": MEDIA_ID}}
    answer = covers_handler.handler(event_of("not json", bad, envelope()), CONTEXT)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m1"}]}
    assert len(post("hello-world")["cover"]["renditions"]) == 6


def test_a_cover_changed_meanwhile_is_left_alone(dynamodb):
    put_post(dynamodb, "hello-world", OTHER_ID)
    store = covers_handler.service().store
    assert store.set_cover("hello-world", MEDIA_ID, {"id": MEDIA_ID}) is False
    assert post("hello-world")["cover"] == {"id": OTHER_ID, "alt": "A lighthouse"}


def test_an_upload_processed_before_its_post_is_kept_and_resolves_the_cover_the_post_sets_later(dynamodb):
    assert covers_handler.handler(sample(), CONTEXT) == {"batchItemFailures": []}
    kept = boto3.resource("dynamodb", region_name="us-east-1").Table(COVERS).get_item(Key={"id": MEDIA_ID})["Item"]
    assert kept == envelope()["data"]
    service = covers_handler.service()
    resolved = service.resolve({"id": MEDIA_ID, "alt": "Later"})
    assert resolved["alt"] == "Later" and len(resolved["renditions"]) == 6
    assert resolved["renditions"][0]["url"] == f"/media/renditions/{MEDIA_ID}/320.webp"
    assert service.resolve({"id": OTHER_ID, "alt": "Not yet"}) == {"id": OTHER_ID, "alt": "Not yet"}
    assert service.resolve(None) is None
