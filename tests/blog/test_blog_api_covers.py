"""The posts API's side of the covers contract, in process: a cover is set as `{id, alt?}` and mirrored to
`coverId` (CoverIndex's key), gets the renditions media made already, and goes with its `coverId`;
what aggregate-views writes (`viewsShard`, `viewsSeq`) is never answered; and the outbox ignores the
view counter but not a cover."""

from __future__ import annotations

import json

import boto3
import pytest

from tests.blog.conftest import EVENTS
from tests.blog.views_support import create_table

COVERS_TABLE = "blog-covers-test"
MEDIA = json.loads(json.loads((EVENTS / "attach-cover.json").read_text())["Records"][0]["body"])["data"]
OTHER = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"


@pytest.fixture(scope="module")
def covers_table(posts_table):
    create_table(boto3.client("dynamodb"), "CoversTable", COVERS_TABLE)
    return boto3.resource("dynamodb").Table(COVERS_TABLE)


@pytest.fixture
def call(api, clean_table, covers_table):
    """The API with the write function's wiring as the template gives it (COVERS_TABLE set)."""
    from blog import wiring
    from blog.handlers import rest

    wiring.use(None)
    wiring.service(rest.SETTINGS._replace(covers_table=COVERS_TABLE))
    yield api
    wiring.use(None)
    for item in covers_table.scan()["Items"]:
        covers_table.delete_item(Key={"id": item["id"]})


def create(call, **fields) -> dict:
    reply = call("admin", "POST", "/posts", json_body={"title": "Hello, World!", "body": "Text.", **fields})
    assert reply.status == 201, reply.body
    return reply.json()


def stored(table, slug: str = "hello-world") -> dict:
    return table.get_item(Key={"slug": slug})["Item"]


def test_a_cover_is_stored_as_id_and_alt_with_its_id_in_cover_id(call, clean_table):
    post = create(call, cover={"id": OTHER, "alt": "A lake"})
    assert post["cover"] == {"id": OTHER, "alt": "A lake"}
    item = stored(clean_table)
    assert item["cover"] == {"id": OTHER, "alt": "A lake"} and item["coverId"] == OTHER
    found = clean_table.query(IndexName="CoverIndex", KeyConditionExpression="coverId = :id",
                              ExpressionAttributeValues={":id": OTHER})["Items"]  # fmt: skip
    assert found == [{"slug": "hello-world", "coverId": OTHER}]


def test_an_upload_processed_first_gives_the_cover_its_renditions_at_once(call, clean_table, covers_table):
    covers_table.put_item(Item=MEDIA)
    post = create(call, cover={"id": MEDIA["id"], "alt": "A lake"})
    cover = post["cover"]
    assert (cover["id"], cover["alt"], cover["width"], cover["height"]) == (MEDIA["id"], "A lake", 4032, 3024)
    assert sorted(r["url"] for r in cover["renditions"]) == sorted("/media/" + r["key"] for r in MEDIA["renditions"])
    assert stored(clean_table)["coverId"] == MEDIA["id"]


@pytest.mark.parametrize(
    "cover",
    [{"alt": "no id"}, {"id": "not-an-upload-id"}, {"id": OTHER, "renditions": []}, {"id": OTHER, "alt": 3}],
)
def test_a_cover_is_an_upload_id_and_alt_text_only(call, cover):
    reply = call("admin", "POST", "/posts", json_body={"title": "T", "body": "x", "cover": cover})
    assert reply.status == 400 and reply.json()["code"]


def test_removing_the_cover_removes_its_cover_id(call, clean_table):
    create(call, cover={"id": OTHER})
    assert call("admin", "PATCH", "/posts/hello-world", json_body={"cover": None}).status == 200
    item = stored(clean_table)
    assert "cover" not in item and "coverId" not in item
    call("admin", "PATCH", "/posts/hello-world", json_body={"cover": {"id": OTHER}})
    assert stored(clean_table)["coverId"] == OTHER
    assert call("admin", "PUT", "/posts/hello-world", json_body={"title": "T", "body": "x"}).status == 200
    item = stored(clean_table)
    assert "cover" not in item and "coverId" not in item


def test_the_view_counters_bookkeeping_is_never_answered(call, clean_table):
    create(call)
    call("admin", "POST", "/posts/hello-world/publish")
    clean_table.update_item(
        Key={"slug": "hello-world"},
        UpdateExpression="ADD #views :n SET viewsShard = :shard, viewsSeq = :seq",
        ExpressionAttributeNames={"#views": "views"},
        ExpressionAttributeValues={":n": 3, ":shard": "shardId-000000000000", ":seq": "4959"},
    )
    answers = [
        call(None, "GET", "/posts/hello-world").json(),
        call("admin", "GET", "/admin/posts/hello-world").json(),
        *call(None, "GET", "/posts/popular").json()["items"],
        *call(None, "GET", "/posts").json()["items"],
    ]
    assert all("viewsShard" not in a and "viewsSeq" not in a for a in answers)
    assert answers[0]["views"] == 3


def test_the_outbox_ignores_the_view_counter_but_not_a_cover():
    from blog.logic.events import event_for

    old = {"slug": "a", "title": "A", "status": "published", "updatedAt": "t", "version": 2, "views": 1}
    counted = {**old, "views": 4, "viewsShard": "shardId-000000000000", "viewsSeq": "49"}
    assert event_for("MODIFY", old, counted) is None
    covered = {**counted, "cover": {"id": OTHER, "width": 10, "height": 10, "renditions": []}, "coverId": OTHER}
    kind, data = event_for("MODIFY", counted, covered)
    assert kind == "PostUpdated" and data["cover"]["id"] == OTHER and "viewsShard" not in data
