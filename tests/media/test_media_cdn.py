"""The full flow through the local edge: an admin's presigned POST → notification → renditions →
MediaProcessed → a blog post whose cover (built from that event, rendered by the blog's site renderer)
shows through the CDN with `srcset`, every rendition served from /media/* through OAC with the immutable
Cache-Control, and nothing but renditions reachable there."""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path

import pytest
import requests
from blog.site import SiteRenderer
from PIL import Image

from tests.media import images
from tests.media.test_media_handlers import check_event
from tests.media.test_media_localcloud import create_upload, id_token, post_form
from tests.support.localcloud import LocalCloudProcess

pytestmark = pytest.mark.localcloud
TEMPLATE = Path(__file__).parent / "templates" / "cdn" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    state = tmp_path_factory.mktemp("media-cdn")
    cloud = LocalCloudProcess(TEMPLATE, state, state / "log.txt").start(timeout=180)
    assert cloud.endpoints["errors"] == []
    yield cloud
    cloud.stop()


def cover_from(event: dict) -> dict:
    """What the blog attaches to a post's cover from MediaProcessed: /media/<key> through its CDN."""
    renditions = [
        {"url": f"/media/{r['key']}", "width": r["width"], "height": r["height"], "format": r["format"]}
        for r in event["data"]["renditions"]
    ]
    return {"alt": "A test photo", "renditions": renditions}


def test_an_upload_shows_as_a_post_cover_through_the_cdn(cloud):
    outputs = cloud.endpoints["outputs"]
    media, cdn = outputs["Media"], cloud.endpoints["cdn"]["Cdn"]
    sqs, sns = cloud.aws("sqs"), cloud.aws("sns")
    queue = sqs.create_queue(QueueName=f"blog-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=media["EventsTopicArn"], Protocol="sqs", Endpoint=arn,
                  Attributes={"RawMessageDelivery": "true"})  # fmt: skip

    photo = images.jpeg((2400, 1600), gps=True)
    upload = create_upload(
        cloud, id_token(cloud, admin=True), {"filename": "cover.jpg", "contentType": "image/jpeg", "size": len(photo)}
    ).json()
    assert post_form(upload, photo, "image/jpeg").status_code == 204
    assert cloud.wait_idle(120)
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    event = json.loads(message["Body"])
    check_event(event)

    renderer = SiteRenderer(site_name="MyBlog", base_url="https://blog.example.com", page_size=10)
    post = {
        "slug": "a-cover", "title": "A cover", "html": "<p>Hello.</p>", "excerpt": "A post with a cover.",
        "tags": [], "cover": cover_from(event), "status": "published",
        "publishedAt": "2026-01-01T09:00:00Z", "updatedAt": "2026-01-01T09:00:00Z",
    }  # fmt: skip
    s3 = cloud.aws("s3")
    pages = renderer.site([post])
    for page in pages:
        s3.put_object(
            Bucket=outputs["Root"]["SiteBucket"], Key=page.path, Body=page.body, ContentType=page.content_type
        )
    (post_page,) = [page.path for page in pages if "a-cover" in page.path and page.content_type.startswith("text/html")]
    html = requests.get(f"{cdn}/{post_page}", timeout=30)
    assert html.status_code == 200, html.text[:300]

    srcsets = re.findall(r'srcset="([^"]+)"', html.text)
    urls = {part.split()[0] for srcset in srcsets for part in srcset.split(",")}
    assert urls == {f"/media/{r['key']}" for r in event["data"]["renditions"]}
    for url in urls:
        served = requests.get(cdn + url, timeout=30)
        assert served.status_code == 200, (url, served.status_code)
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        image = Image.open(io.BytesIO(served.content))
        assert image.format in ("WEBP", "JPEG") and not image.getexif()

    # the CDN reaches renditions only: never the original, never the quarantine
    assert requests.get(f"{cdn}/media/{upload['key']}", timeout=30).status_code == 403
