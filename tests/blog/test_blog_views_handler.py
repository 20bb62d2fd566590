"""aggregate-views in this process against a moto posts table: the DAL's conditional ADD (an unknown slug
creates no item, a redelivered batch is not counted twice), partial batch responses, and the handler fed
the events/blog sample."""

from __future__ import annotations

import base64
import copy
import json
import os

os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
os.environ.setdefault("POSTS_TABLE", "posts-test")  # read when the handler is imported

import boto3
import pytest
from blog.views import handler as views_handler
from blog.views.dal import DynamoCounterStore
from blog.views.logic import Increment, Outcome, PoisonFirst, padded
from common.tables import TableProvider
from moto import mock_aws

from tests.blog.views_support import ROOT, TABLE, create_posts_table
from tests.todos.client import FakeLambdaContext

SAMPLE = ROOT / "events/blog/aggregate-views.json"
SHARD = "shardId-000000000000"


@pytest.fixture
def dynamodb():
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_posts_table(client)
        for slug in ("hello-world", "second-post"):
            client.put_item(TableName=TABLE, Item={"slug": {"S": slug}, "title": {"S": slug}})
        views_handler.use(None)
        yield client
        views_handler.use(None)


def views_of(dynamodb, slug: str) -> int | None:
    item = dynamodb.get_item(TableName=TABLE, Key={"slug": {"S": slug}}).get("Item")
    return None if item is None else int(item.get("views", {"N": "0"})["N"])


def store() -> DynamoCounterStore:
    return DynamoCounterStore(TableProvider(TABLE))


def increment(slug: str, count: int, first: int, last: int, shard: str = SHARD) -> Increment:
    return Increment(slug, count, shard, padded(str(first)), padded(str(last)))


def test_an_increment_is_added_once_and_a_later_range_adds_again(dynamodb):
    assert store().add_views(increment("hello-world", 3, 10, 12)) == Outcome.APPLIED
    assert store().add_views(increment("hello-world", 3, 10, 12)) == Outcome.ALREADY_COUNTED
    assert store().add_views(increment("hello-world", 1, 11, 11)) == Outcome.ALREADY_COUNTED  # part of it
    assert store().add_views(increment("hello-world", 2, 13, 14)) == Outcome.APPLIED
    assert store().add_views(increment("hello-world", 1, 5, 5, shard="shardId-000000000001")) == Outcome.APPLIED
    assert views_of(dynamodb, "hello-world") == 6


def test_an_unknown_slug_creates_no_item(dynamodb):
    assert store().add_views(increment("no-such-post", 4, 1, 4)) == Outcome.UNKNOWN_POST
    assert views_of(dynamodb, "no-such-post") is None
    assert dynamodb.scan(TableName=TABLE)["Count"] == 2


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def test_the_sample_event_counts_each_post_and_a_redelivery_counts_nothing(dynamodb):
    context = FakeLambdaContext("AggregateViewsFunction")
    assert views_handler.handler(sample(), context) == {"batchItemFailures": []}
    assert (views_of(dynamodb, "hello-world"), views_of(dynamodb, "second-post")) == (2, 1)
    assert views_handler.handler(sample(), context) == {"batchItemFailures": []}
    assert (views_of(dynamodb, "hello-world"), views_of(dynamodb, "second-post")) == (2, 1)


def with_data(event: dict, index: int, data: bytes) -> dict:
    event = copy.deepcopy(event)
    event["Records"][index]["kinesis"]["data"] = base64.b64encode(data).decode()
    return event


def test_a_later_poison_is_the_one_failed_item_and_only_the_records_before_it_count(dynamodb):
    event = with_data(sample(), 1, b"not a view")
    poison = event["Records"][1]["kinesis"]["sequenceNumber"]
    answer = views_handler.handler(event, FakeLambdaContext("AggregateViewsFunction"))
    assert answer == {"batchItemFailures": [{"itemIdentifier": poison}]}
    assert (views_of(dynamodb, "hello-world"), views_of(dynamodb, "second-post")) == (1, 0)


def test_a_poison_first_fails_the_batch_and_counts_nothing(dynamodb):
    with pytest.raises(PoisonFirst):
        views_handler.handler(with_data(sample(), 0, b"{}"), FakeLambdaContext("AggregateViewsFunction"))
    assert views_of(dynamodb, "hello-world") == 0
