"""The blog end to end on localcloud, from the root template, over HTTP and boto3: the admin API through
the CDN's /api/*, the outbox, the render queue, the site bucket behind OAC, the edge cache with its
invalidations, the viewer-request function, and the Lambda@Edge preview guard with real Cognito tokens."""

from __future__ import annotations

import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from scripts import blog_edge_config
from tests.support.localcloud import DEMO_PASSWORD, unique

pytestmark = pytest.mark.localcloud
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
CSP += "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


@pytest.fixture(scope="module")
def edge_config(localcloud_session):
    """The preview guard's generated settings for this localcloud (its pool, its JWKS), put back after."""
    target = blog_edge_config.TARGET
    before = target.read_text() if target.exists() else None
    blog_edge_config.write(
        app="platform", env="local", region="us-east-1", endpoint=localcloud_session.endpoints["aws"]
    )
    yield
    if before is None:
        target.unlink(missing_ok=True)
    else:
        target.write_text(before)


@pytest.fixture
def blog(localcloud, edge_config):
    return Blog(localcloud)


class Blog:
    def __init__(self, cloud):
        self.cloud = cloud
        self.cdn = cloud.endpoints["cdn"]["Blog/Cdn"]
        self.http = requests.Session()

    def token(self, user: str, group: str | None = None) -> str:
        tokens = self.cloud.tokens(user)
        if group is None:
            return tokens["IdToken"]
        cognito = self.cloud.endpoints["cognito"]
        idp = self.cloud.aws("cognito-idp")
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=f"{user}@example.com", GroupName=group)
        login = {"USERNAME": f"{user}@example.com", "PASSWORD": DEMO_PASSWORD}
        auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
        return auth["AuthenticationResult"]["IdToken"]

    def api(self, method: str, path: str, token: str | None = None, headers=None, **kwargs) -> requests.Response:
        headers = {**({"Authorization": token} if token else {}), **(headers or {})}
        return self.http.request(method, f"{self.cdn}/api{path}", headers=headers, timeout=30, **kwargs)

    def get(self, path: str, **headers) -> requests.Response:
        return self.http.get(f"{self.cdn}{path}", headers=headers, allow_redirects=False, timeout=30)

    def settle(self) -> None:
        assert self.cloud.wait_idle(60)


def test_publish_update_and_unpublish_show_on_the_cdn_at_once(blog):
    admin = blog.token("editor", "admins")
    slug = unique("edge-post")
    created = blog.api("POST", "/posts", admin, json={"slug": slug, "title": "Edge post", "body": "# Hi\n\nThere.",
                                                      "tags": ["Edge Cases"]})  # fmt: skip
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    assert blog.api("POST", f"/posts/{slug}/publish", admin).status_code == 200
    blog.settle()

    page = blog.get(f"/posts/{slug}")
    assert page.status_code == 200 and "<h1" in page.text and "Edge post" in page.text and "<h2>Hi</h2>" in page.text
    assert page.headers["Content-Security-Policy"] == CSP
    assert page.headers["Strict-Transport-Security"].startswith("max-age=63072000")
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["X-Frame-Options"] == "DENY"
    assert blog.get(f"/posts/{slug}").headers["X-Cache"] == "Hit from cloudfront"
    assert slug in blog.get("/").text and slug in blog.get("/tags/edge-cases").text
    assert slug in blog.get("/feed.xml").text and slug in blog.get("/sitemap.xml").text
    redirect = blog.get(f"/posts/{slug}/")
    assert (redirect.status_code, redirect.headers["Location"]) == (301, f"/posts/{slug}")
    shown = blog.api("GET", f"/posts/{slug}")
    assert shown.json()["views"] == 0 and shown.headers["Cache-Control"].startswith("public")

    etag = blog.api("GET", f"/admin/posts/{slug}", admin).headers["ETag"]
    response = blog.http.patch(f"{blog.cdn}/api/posts/{slug}", json={"title": "Edge post, revised"},
                               headers={"Authorization": admin, "If-Match": etag}, timeout=30)  # fmt: skip
    assert response.status_code == 200
    blog.settle()
    fresh = blog.get(f"/posts/{slug}")
    assert fresh.headers["X-Cache"] == "Miss from cloudfront" and "Edge post, revised" in fresh.text

    assert blog.api("POST", f"/posts/{slug}/unpublish", admin).status_code == 200
    blog.settle()
    gone = blog.get(f"/posts/{slug}")
    assert gone.status_code == 404 and "<h1" in gone.text  # the site's 404 page
    assert slug not in blog.get("/").text and slug not in blog.get("/feed.xml").text
    assert blog.get("/tags/edge-cases").status_code == 404


def test_who_may_write_through_the_cdn(blog):
    reader = blog.token("reader")
    body = {"title": "Not yours", "body": "x"}
    assert blog.api("POST", "/posts", json=body).status_code == 401
    denied = blog.api("POST", "/posts", reader, json=body)
    assert denied.status_code == 403 and denied.json()["code"] == "NotAnAdmin"
    forged = jwt.encode({**jwt.decode(reader, options={"verify_signature": False}), "cognito:groups": ["admins"]},
                        rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": jwt.get_unverified_header(reader)["kid"]})  # fmt: skip
    assert blog.api("POST", "/posts", forged, json=body).status_code == 401


def test_previews_are_for_admins_only(blog):
    admin = blog.token("chief", "admins")
    reader = blog.token("visitor")
    slug = unique("draft")
    assert (
        blog.api("POST", "/posts", admin, json={"slug": slug, "title": "Draft", "body": "Secret."}).status_code == 201
    )
    blog.settle()
    seen = blog.get(f"/preview/{slug}/", Authorization=f"Bearer {admin}")
    assert seen.status_code == 200 and "Secret." in seen.text and seen.headers["Cache-Control"] == "no-store"
    assert blog.get(f"/preview/{slug}", Cookie=f"id_token={admin}").status_code == 200
    assert blog.get(f"/preview/{slug}/", Authorization=reader).status_code == 403
    assert blog.get(f"/preview/{slug}/").status_code == 401
    forged = admin.rsplit(".", 1)[0] + "." + "A" * 342
    assert blog.get(f"/preview/{slug}/", Authorization=forged).status_code == 401
    assert blog.get(f"/posts/{slug}").status_code == 404  # drafts are not on the public site


def test_the_bucket_is_private_and_the_outbox_announces_on_blog_events(blog):
    cloud = blog.cloud
    outputs = cloud.endpoints["outputs"]
    stack = next(name for name in outputs if name.endswith("Blog") or name == "Blog")
    bucket, topic = outputs[stack]["SiteBucketName"], outputs[stack]["BlogEventsTopicArn"]
    sqs, sns = cloud.aws("sqs"), cloud.aws("sns")
    queue = sqs.create_queue(QueueName=unique("probe"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    admin = blog.token("owner", "admins")
    slug = unique("announced")
    blog.api("POST", "/posts", admin, json={"slug": slug, "title": "Announced", "body": "x"})
    blog.api("POST", f"/posts/{slug}/publish", admin)
    blog.settle()
    deadline, types = time.monotonic() + 10, []
    while time.monotonic() < deadline and "PostPublished" not in types:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            envelope = json.loads(message["Body"])
            if envelope["data"]["slug"] == slug:
                types.append(envelope["type"])
    assert types == ["PostUpdated", "PostPublished"]
    # Straight from the bucket (no OAC signature): denied; through the distribution: served.
    assert requests.get(f"{cloud.endpoints['aws']}/{bucket}/posts/{slug}/index.html", timeout=10).status_code == 403
    assert blog.get(f"/posts/{slug}").status_code == 200
