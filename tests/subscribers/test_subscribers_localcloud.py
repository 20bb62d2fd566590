"""The subscribers service end to end on localcloud, from the root template, over HTTP and boto3: the API,
the table's stream → send-welcome → SES outbox, and a post published through the blog's API → BlogEvents →
fan-out-post → send-post-email → one email per active subscriber, with the post fetched from the blog's API."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import requests

from tests.support.localcloud import DEMO_PASSWORD, unique

pytestmark = pytest.mark.localcloud


class Subscribers:
    def __init__(self, cloud):
        self.cloud = cloud
        self.api = cloud.api_url("Subscribers/SubscribersApi")
        self.cdn = cloud.endpoints["cdn"]["Blog/Cdn"]
        self.site_url = cloud.endpoints["outputs"]["Blog"]["SiteUrl"]
        self.http = requests.Session()

    def on_cdn(self, link: str) -> str:
        """A link on the site's domain, asked of the local CDN (which serves that domain here)."""
        parts = urlsplit(link)
        assert parts.netloc == urlsplit(self.site_url).netloc, link
        return f"{self.cdn}{parts.path}?{parts.query}"

    def subscribe(self, email: str, **extra) -> requests.Response:
        return self.http.post(f"{self.api}/subscribers", json={"email": email, **extra}, timeout=30)

    def outbox(self) -> list[dict]:
        return self.http.get(f"{self.cloud.endpoints['console']}/api/outbox", timeout=30).json()

    def mail_to(self, address: str, subject: str | None = None) -> list[dict]:
        return [
            m for m in self.outbox() if address in " ".join(m["to"]) and (subject is None or m["subject"] == subject)
        ]

    def settle(self) -> None:
        assert self.cloud.wait_idle(60)

    def admin_token(self) -> str:
        self.cloud.tokens("editor")
        cognito, idp = self.cloud.endpoints["cognito"], self.cloud.aws("cognito-idp")
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username="editor@example.com", GroupName="admins")
        login = {"USERNAME": "editor@example.com", "PASSWORD": DEMO_PASSWORD}
        auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
        return auth["AuthenticationResult"]["IdToken"]

    def publish(self, title: str) -> str:
        blog, token = self.cloud.api_url("Blog/BlogApi"), self.admin_token()
        slug = unique("letter")
        body = {"slug": slug, "title": title, "body": "# Hello\n\nA post for the subscribers."}
        created = self.http.post(f"{blog}/posts", json=body, headers={"Authorization": token}, timeout=30)
        assert created.status_code == 201, created.text
        published = self.http.post(f"{blog}/posts/{slug}/publish", headers={"Authorization": token}, timeout=30)
        assert published.status_code == 200, published.text
        return slug


@pytest.fixture
def subs(localcloud):
    return Subscribers(localcloud)


def header(message: dict, name: str) -> str | None:
    return next((value for key, value in message["headers"] if key.lower() == name.lower()), None)


def test_subscribing_sends_exactly_one_welcome_with_the_one_click_headers(subs):
    address = f"{unique('reader')}@example.com"
    answers = [subs.subscribe(address, name="Ada"), subs.subscribe(address), subs.subscribe(address.upper())]
    assert {(a.status_code, a.text) for a in answers} == {(202, answers[0].text)}  # never tells who was there
    subs.settle()
    [welcome] = subs.mail_to(address)
    assert welcome["subject"] == "Welcome to MyBlog" and "Hello Ada," in welcome["text"] and welcome["html"]
    link = header(welcome, "List-Unsubscribe").strip("<>")
    assert link.startswith(f"{subs.site_url}/api/subscribers/unsubscribe?token=") and link in welcome["text"]
    assert header(welcome, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_a_replayed_stream_record_sends_no_second_welcome(subs):
    address = f"{unique('replay')}@example.com"
    subs.subscribe(address)
    subs.settle()
    table = subs.cloud.aws("dynamodb")
    name = next(t for t in table.list_tables()["TableNames"] if "Subscribers" in t and "SubscribersTable" in t)
    [item] = [i for i in table.scan(TableName=name)["Items"] if i["email"]["S"] == address]
    change = {"Keys": {"id": item["id"]}, "NewImage": item, "SequenceNumber": "1", "StreamViewType": "NEW_IMAGE"}
    record = {"eventID": "replayed", "eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": change}
    answer = subs.cloud.invoke("Subscribers/SendWelcomeFunction", {"Records": [record, record]})
    assert answer["payload"] == {"batchItemFailures": []}, answer
    assert len(subs.mail_to(address)) == 1


def test_a_published_post_reaches_every_active_subscriber_once_and_the_unsubscribed_never(subs):
    readers = [f"{unique('fan')}@example.com" for _ in range(6)]
    for address in readers:
        assert subs.subscribe(address).status_code == 202
    subs.settle()
    leaving = subs.mail_to(readers[0])[0]
    link = subs.on_cdn(header(leaving, "List-Unsubscribe").strip("<>"))
    one_click = subs.http.post(link, data="List-Unsubscribe=One-Click",
                               headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)  # fmt: skip
    assert one_click.status_code == 200 and "unsubscribed" in one_click.text
    assert subs.http.get(link, timeout=30).status_code == 200  # the link's page still opens

    title = "News for subscribers"
    slug = subs.publish(title)
    subs.settle()
    assert subs.mail_to(readers[0], title) == []
    for address in readers[1:]:
        [email] = subs.mail_to(address, title)
        assert f"/posts/{slug}" in email["text"] and "A post for the subscribers." in email["text"]
        assert header(email, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_the_functions_reach_the_blog_api_at_its_local_url_through_the_blogs_ssm_parameter(subs):
    environments = json.loads((subs.cloud.state_dir / "sam-env.json").read_text())
    [name] = [env["BLOG_API_URL_PARAMETER"] for key, env in environments.items() if "SendPostEmail" in key]
    assert name == "/platform/local/blog/ApiUrl"
    blog_url = subs.cloud.aws("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    assert "execute-api" not in blog_url and blog_url == subs.cloud.api_url("Blog/BlogApi")


def test_bad_input_on_every_route_is_a_4xx(subs):
    assert subs.subscribe("not an address").status_code == 400
    assert subs.http.post(f"{subs.api}/subscribers", data="{", timeout=30).status_code in (400, 415)
    assert subs.http.get(f"{subs.api}/subscribers/unsubscribe?token=forged", timeout=30).status_code == 400
    forged = subs.http.post(f"{subs.api}/subscribers/unsubscribe?token=forged", data="List-Unsubscribe=One-Click",
                            timeout=30)  # fmt: skip
    assert forged.status_code == 400 and forged.json()["code"] == "InvalidToken"


def test_beyond_the_stage_throttle_is_a_429(subs):
    def hit(_):
        return requests.post(f"{subs.api}/subscribers", data="{}", timeout=30).status_code

    with ThreadPoolExecutor(32) as pool:  # faster than 20 a second once the 40 of the burst are spent
        statuses = list(pool.map(hit, range(160)))
    time.sleep(2.5)  # the bucket refills (20 a second, 40 deep) for the tests after this one
    assert 429 in statuses and set(statuses) <= {400, 429}


def test_an_ses_throttle_is_retried_and_the_welcome_still_goes_out_once(subs, faults):
    subs.settle()  # nothing else in flight takes the one throttled send
    rule = faults.error("ses", action="SendEmail", count=1)  # SES v2's TooManyRequestsException, once
    address = f"{unique('throttled')}@example.com"
    assert subs.subscribe(address).status_code == 202
    subs.settle()
    assert faults.hits(rule) == 1
    assert len(subs.mail_to(address)) == 1


def test_a_permanent_ses_rejection_is_recorded_on_the_subscriber_and_sends_nothing(subs, faults):
    subs.settle()
    faults.error("ses", action="SendEmail", error="MessageRejected", status=400, count=1)
    address = f"{unique('rejected')}@example.com"
    assert subs.subscribe(address).status_code == 202
    subs.settle()
    assert subs.mail_to(address) == []
    table = subs.cloud.aws("dynamodb")
    name = next(t for t in table.list_tables()["TableNames"] if "SubscribersTable" in t)
    [item] = [i for i in table.scan(TableName=name)["Items"] if i["email"]["S"] == address]
    assert "MessageRejected" in item["rejected"]["S"]
