"""render-site: the render queue's messages → the site bucket, and invalidation of exactly what changed."""

from __future__ import annotations

import copy
import json
import os

import boto3
import pytest

from tests.blog.conftest import FakeContext, sample

BUCKET = os.environ["SITE_BUCKET"]


class RecordingCloudFront:
    def __init__(self):
        self.batches: list[list[str]] = []

    def create_invalidation(self, DistributionId, InvalidationBatch):
        assert DistributionId == os.environ["DISTRIBUTION_ID"]
        assert InvalidationBatch["Paths"]["Quantity"] == len(InvalidationBatch["Paths"]["Items"])
        self.batches.append(InvalidationBatch["Paths"]["Items"])

    def take(self) -> set[str]:
        paths = {path for batch in self.batches for path in batch}
        self.batches.clear()
        return paths


@pytest.fixture
def site(api, clean_table):
    from blog import wiring
    from blog.dal.site_bucket import Invalidator, SiteBucket
    from blog.handlers import render_site
    from blog.logic.rendering import SiteBuilder
    from blog.site import SiteRenderer

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    cloudfront = RecordingCloudFront()
    builder = SiteBuilder(
        wiring.store(render_site.SETTINGS),
        SiteRenderer("MyBlog", "https://blog.example.com", page_size=2),
        SiteBucket(BUCKET),
        Invalidator(os.environ["DISTRIBUTION_ID"], client_factory=lambda service: cloudfront),
    )
    wiring.use_builder(builder)
    yield api, s3, cloudfront
    wiring.use_builder(None)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def keys(s3) -> set[str]:
    return {
        o["Key"] for p in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET) for o in p.get("Contents", [])
    }


def body(s3, key: str) -> str:
    return s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()


def render(*messages) -> dict:
    from blog.handlers import render_site

    event = copy.deepcopy(sample("render-site.json"))
    template = event["Records"][0]
    event["Records"] = []
    for n, message in enumerate(messages):
        entry = copy.deepcopy(template)
        entry["messageId"] = f"m-{n}"
        entry["body"] = message if isinstance(message, str) else json.dumps(message)
        event["Records"].append(entry)
    return render_site.handler(event, FakeContext())


def changed(type_: str, slug: str) -> dict:
    envelope = json.loads(sample("render-site.json")["Records"][0]["body"])
    return {**envelope, "type": type_, "data": {**envelope["data"], "slug": slug}}


def publish(api, title: str, tags: list[str]) -> str:
    slug = api("admin", "POST", "/posts", json_body={"title": title, "body": f"About {title}.", "tags": tags}).json()[
        "slug"
    ]
    api("admin", "POST", f"/posts/{slug}/publish")
    return slug


def test_publish_writes_the_pages_feed_and_sitemap_and_invalidates_them(site):
    api, s3, cloudfront = site
    slug = publish(api, "First light", ["Serverless"])
    assert render(changed("PostPublished", slug)) == {"batchItemFailures": []}
    stored = keys(s3)
    assert {"index.html", "posts/first-light/index.html", "tags/serverless/index.html", "feed.xml", "sitemap.xml",
            "404.html", "robots.txt"} <= stored  # fmt: skip
    assert any(key.startswith("assets/site.") for key in stored)
    assert "First light" in body(s3, "index.html") and "/posts/first-light" in body(s3, "feed.xml")
    assert "https://blog.example.com/posts/first-light" in body(s3, "sitemap.xml")
    head = s3.head_object(Bucket=BUCKET, Key="posts/first-light/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8" and "s-maxage" in head["CacheControl"]
    assert cloudfront.take() == {"/" + key for key in stored}  # a first render changes every key

    # The same state again: every page's MD5 equals its ETag, so nothing is written or invalidated.
    assert render(changed("PostUpdated", slug)) == {"batchItemFailures": []}
    assert cloudfront.take() == set()

    second = publish(api, "Second wind", ["AWS"])
    render(changed("PostPublished", second))
    assert cloudfront.take() == {"/index.html", "/posts/second-wind/index.html", "/tags/aws/index.html",
                                 "/feed.xml", "/sitemap.xml"}  # fmt: skip


def test_unpublish_and_delete_take_the_post_off_every_page(site):
    api, s3, cloudfront = site
    keep = publish(api, "Keeper", ["Shared"])
    gone = publish(api, "Goner", ["Shared", "Only here"])
    render(changed("PostPublished", keep), changed("PostPublished", gone))
    cloudfront.take()

    api("admin", "POST", f"/posts/{gone}/unpublish")
    render(changed("PostUnpublished", gone))
    stored = keys(s3)
    assert "posts/goner/index.html" not in stored and "tags/only-here/index.html" not in stored
    for key in ("index.html", "tags/shared/index.html", "feed.xml", "sitemap.xml"):
        assert "goner" not in body(s3, key).lower(), key
    assert "preview/goner/index.html" in stored  # a draft again, so it has a preview
    assert cloudfront.take() == {"/posts/goner/index.html", "/tags/only-here/index.html", "/index.html",
                                 "/tags/shared/index.html", "/feed.xml", "/sitemap.xml"}  # fmt: skip

    api("admin", "DELETE", f"/posts/{gone}")
    api("admin", "DELETE", f"/posts/{keep}")
    render(changed("PostDeleted", gone), changed("PostDeleted", keep))
    stored = keys(s3)
    assert not any("goner" in key or "keeper" in key for key in stored)
    assert "keeper" not in body(s3, "index.html").lower()
    assert {"/posts/keeper/index.html", "/tags/shared/index.html"} <= cloudfront.take()


def test_drafts_render_only_as_previews(site):
    api, s3, cloudfront = site
    slug = api("admin", "POST", "/posts", json_body={"title": "Work in progress", "body": "Soon."}).json()["slug"]
    render(changed("PostUpdated", slug))
    stored = keys(s3)
    assert "preview/work-in-progress/index.html" in stored and "posts/work-in-progress/index.html" not in stored
    preview = s3.head_object(Bucket=BUCKET, Key="preview/work-in-progress/index.html")
    assert preview["CacheControl"] == "no-store"
    assert "noindex" in body(s3, "preview/work-in-progress/index.html")
    assert not any(path.startswith("/preview/") for path in cloudfront.take())  # never cached, never invalidated

    api("admin", "POST", f"/posts/{slug}/publish")
    render(changed("PostPublished", slug))
    assert "preview/work-in-progress/index.html" not in keys(s3)


def test_a_message_that_is_not_a_blog_event_fails_alone(site):
    api, s3, _ = site
    slug = publish(api, "Solid", [])
    result = render("not json", {"type": "Other", "source": "blog", "data": {}},
                    changed("PostPublished", "../../etc"), changed("PostPublished", slug))  # fmt: skip
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-0"}, {"itemIdentifier": "m-1"},
                                            {"itemIdentifier": "m-2"}]}  # fmt: skip
    assert "posts/solid/index.html" in keys(s3)


def test_an_sns_wrapped_message_is_read_too(site):
    api, s3, _ = site
    slug = publish(api, "Wrapped", [])
    wrapped = {"Type": "Notification", "Message": json.dumps(changed("PostPublished", slug))}
    assert render(wrapped) == {"batchItemFailures": []}
    assert "posts/wrapped/index.html" in keys(s3)
