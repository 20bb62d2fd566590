"""fan-out-post and send-post-email in process on moto: every active subscriber gets exactly one email,
through a crash mid-page, duplicated jobs and an unsubscribe mid-fan-out; the blog's API is stubbed."""

from __future__ import annotations

import copy
import hashlib
import json

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from tests.subscribers.conftest import ENV, Context, drain, sample, sent

pytestmark = pytest.mark.usefixtures("clean")
POST = {"slug": "hello-world", "title": "Hello, World!", "excerpt": "Why we write.", "html": "<p>Why</p>"}


class Posts:
    """The blog API's GET /posts/{slug}, counting calls."""

    def __init__(self, posts: dict[str, dict]):
        self.posts, self.calls = posts, 0

    def get(self, slug: str) -> dict | None:
        self.calls += 1
        return self.posts.get(slug)


@pytest.fixture
def posts():
    from subscribers import wiring
    from subscribers.handlers import fan_out_post

    wiring.fanout(fan_out_post.SETTINGS).page_size = 20  # several pages from a few subscribers
    stub = Posts({"hello-world": POST})
    wiring.use("posts", stub)
    return stub


def subscribe(count: int, status: str = "active", prefix: str = "reader") -> list[str]:
    table = boto3.resource("dynamodb").Table(ENV["TABLE_NAME"])
    ids = []
    with table.batch_writer() as batch:
        for n in range(count):
            subscriber_id = hashlib.sha256(f"{prefix}{status}{n}".encode()).hexdigest()[:32]
            ids.append(subscriber_id)
            batch.put_item(Item={"id": subscriber_id, "email": f"{prefix}{n}-{status}@example.com", "status": status})
    return ids


def unsubscribe(subscriber_id: str) -> None:
    boto3.resource("dynamodb").Table(ENV["TABLE_NAME"]).update_item(
        Key={"id": subscriber_id}, UpdateExpression="SET #s = :u", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":u": "unsubscribed"},
    )  # fmt: skip


def fan_out(seconds_left: float = 600) -> dict:
    from subscribers.handlers import fan_out_post

    return fan_out_post.handler(sample("fan-out-post.json"), Context(seconds_left))


def send_all(records: list[dict]) -> list[dict]:
    from subscribers.handlers import send_post_email

    failures = []
    for start in range(0, len(records), 20):
        answer = send_post_email.handler({"Records": records[start : start + 20]}, Context())
        failures += answer["batchItemFailures"]
    return failures


def recipients() -> list[str]:
    return sorted(str(m["To"]) for m in sent())


def test_every_active_subscriber_gets_one_email_and_the_unsubscribed_none(posts):
    subscribe(45)
    subscribe(5, "unsubscribed")
    assert fan_out() == {"batchItemFailures": []}
    jobs = drain()
    assert len(jobs) == 45 and {json.loads(j["body"])["slug"] for j in jobs} == {"hello-world"}
    assert send_all(jobs) == []
    assert recipients() == sorted(f"reader{n}-active@example.com" for n in range(45))
    assert posts.calls == 3  # once per post and batch (20 a batch here)
    message = sent()[0]
    assert message["Subject"] == "Hello, World!" and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://blog.example.com/posts/hello-world" in message.get_body(("plain",)).get_content()


def test_the_same_post_published_twice_fans_out_once(posts):
    subscribe(15)
    fan_out()
    fan_out()
    assert len(drain()) == 15


class CrashingQueue:
    """The send queue, dying on its `after`-th SendMessageBatch call (mid-page)."""

    def __init__(self, real, after: int):
        self.real, self.after = real, after

    def enqueue(self, jobs):
        for start in range(0, len(jobs), 10):
            self.after -= 1
            if self.after == 0:
                raise RuntimeError("the worker died")
            self.real.enqueue(jobs[start : start + 10])


def test_a_fan_out_that_dies_mid_page_resumes_without_gaps_and_each_gets_one_email(posts):
    from subscribers import wiring
    from subscribers.handlers import fan_out_post

    subscribe(50)
    fanout = wiring.fanout(fan_out_post.SETTINGS)
    real = fanout.queue
    fanout.queue = CrashingQueue(real, after=4)  # page 2 of 3 (20 a page), its second batch of 10
    with pytest.raises(BatchProcessingError):  # the message goes back to the queue
        fan_out()
    fanout.queue = real
    assert fan_out() == {"batchItemFailures": []}
    jobs = drain()
    assert len(jobs) == 50 + 10  # page 2's first 10 jobs twice, nothing missing
    assert send_all(jobs) == []
    assert recipients() == sorted(f"reader{n}-active@example.com" for n in range(50))


def test_a_fan_out_short_of_time_stops_at_a_checkpoint_and_the_retry_finishes(posts):
    subscribe(30)
    with pytest.raises(BatchProcessingError):
        fan_out(seconds_left=10)
    assert drain() == []
    fan_out()
    assert len(drain()) == 30


def test_an_unsubscribe_mid_fan_out_gets_nothing(posts):
    ids = subscribe(10)
    fan_out()
    jobs = drain()
    unsubscribe(ids[3])
    send_all(jobs)
    assert recipients() == sorted(f"reader{n}-active@example.com" for n in range(10) if n != 3)


def test_duplicated_jobs_send_once_and_a_poison_job_fails_alone(posts):
    subscribe(3)
    fan_out()
    jobs = drain()
    poison = copy.deepcopy(jobs[0]) | {"messageId": "poison", "body": "{not json"}
    assert send_all(jobs + copy.deepcopy(jobs) + [poison]) == [{"itemIdentifier": "poison"}]
    assert len(sent()) == 3


def test_a_post_the_blog_no_longer_serves_sends_nothing(posts):
    subscribe(2)
    fan_out()
    posts.posts.clear()
    assert send_all(drain()) == [] and sent() == []


def test_the_sample_send_job_is_one_email_to_its_subscriber(posts):
    from subscribers.handlers import send_post_email

    boto3.resource("dynamodb").Table(ENV["TABLE_NAME"]).put_item(
        Item={"id": json.loads(sample("send-post-email.json")["Records"][0]["body"])["id"],
              "email": "reader@example.com", "status": "active"})  # fmt: skip
    assert send_post_email.handler(sample("send-post-email.json"), Context()) == {"batchItemFailures": []}
    assert recipients() == ["reader@example.com"]


class CountingClients:
    """The store's boto3 clients, counting the DynamoDB reads by operation."""

    def __init__(self, real):
        self.real, self.calls = real, {"get_item": 0, "batch_get_item": 0}

    def __call__(self, service: str):
        client = self.real(service)
        counts = self.calls

        class Counted:
            def __getattr__(self, name):
                if name in counts:
                    counts[name] += 1
                return getattr(client, name)

        return Counted()


def test_a_batch_reads_its_subscribers_in_one_request_and_skips_the_unsubscribed(posts):
    from subscribers import wiring
    from subscribers.handlers import send_post_email

    ids = subscribe(20)
    fan_out()
    jobs = drain()
    unsubscribe(ids[7])
    store = wiring.store(send_post_email.SETTINGS)
    counting = CountingClients(store._client)
    store._client = counting
    try:
        assert send_all(jobs) == []  # one batch of 20
    finally:
        store._client = counting.real
    assert counting.calls == {"get_item": 0, "batch_get_item": 1}
    assert recipients() == sorted(f"reader{n}-active@example.com" for n in range(20) if n != 7)


def test_reads_left_unprocessed_are_asked_again():
    from subscribers.dal.store import SubscriberStore

    class Dynamo:
        def __init__(self):
            self.requests = []

        def batch_get_item(self, RequestItems):
            self.requests.append(RequestItems)
            keys = RequestItems["t"]["Keys"]
            items = [{"id": k["id"], "status": {"S": "active"}} for k in keys[:1]]
            left = {"t": {"Keys": keys[1:], "ConsistentRead": True}} if keys[1:] else {}
            return {"Responses": {"t": items}, "UnprocessedKeys": left}

    dynamo = Dynamo()
    store = SubscriberStore("t", "byStatus", lambda _: dynamo, sleep=lambda _: None)
    found = store.get_many(["a", "b", "a", "c"])
    assert found == {s: {"id": s, "status": "active"} for s in "abc"}
    assert [len(r["t"]["Keys"]) for r in dynamo.requests] == [3, 2, 1]
    assert all(r["t"]["ConsistentRead"] for r in dynamo.requests)
