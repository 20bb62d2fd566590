"""The subscribers API under the blog's domain, on localcloud from the root template: the blog's
distribution routes /api/subscribers* to it (never cached), the welcome's unsubscribe link is on the site's
domain and works through the CDN, and the home page's plain form subscribes same-origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests

from tests.subscribers.test_subscribers_localcloud import Subscribers, header
from tests.support.localcloud import unique

pytestmark = pytest.mark.localcloud
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Site(Subscribers):
    """The blog's CDN as a reader's browser sees it."""

    def welcome_link(self, address: str) -> str:
        self.settle()
        [welcome] = self.mail_to(address)
        link = header(welcome, "List-Unsubscribe").strip("<>")
        assert link in welcome["text"]
        return link


@pytest.fixture
def site(localcloud):
    return Site(localcloud)


def test_a_subscribe_through_the_cdn_sends_one_welcome_whose_link_unsubscribes_through_the_cdn(site):
    address = f"{unique('cdn')}@example.com"
    answer = site.http.post(f"{site.cdn}/api/subscribers", json={"email": address}, timeout=30)
    assert answer.status_code == 202 and answer.json()["message"].startswith("Thank you")
    link = site.welcome_link(address)
    assert urlsplit(link).path == "/api/subscribers/unsubscribe" and "token=" in link
    page = site.http.get(site.on_cdn(link), timeout=30)
    assert page.status_code == 200 and "Unsubscribe" in page.text and 'name="List-Unsubscribe"' in page.text
    done = site.http.post(site.on_cdn(link), data="List-Unsubscribe=One-Click", headers=FORM, timeout=30)
    assert done.status_code == 200 and "unsubscribed" in done.text
    table = site.cloud.aws("dynamodb")
    name = next(t for t in table.list_tables()["TableNames"] if "SubscribersTable" in t)
    [item] = [i for i in table.scan(TableName=name)["Items"] if i["email"]["S"] == address]
    assert item["status"]["S"] == "unsubscribed"


def test_the_cdn_never_caches_a_subscribe_or_an_unsubscribe_page(site):
    readers = [f"{unique('uncached')}@example.com" for _ in range(2)]
    answers = [site.http.post(f"{site.cdn}/api/subscribers", json={"email": a}, timeout=30) for a in readers]
    assert [a.status_code for a in answers] == [202, 202]
    assert {a.headers["X-Cache"] for a in answers} == {"Miss from cloudfront"}
    links = [site.on_cdn(site.welcome_link(address)) for address in readers]
    pages = [site.http.get(links[0], timeout=30) for _ in range(2)]
    assert [p.headers["X-Cache"] for p in pages] == ["Miss from cloudfront"] * 2
    assert all(p.headers["Cache-Control"] == "no-store" for p in [*answers, *pages])


def test_the_home_page_form_posts_same_origin_and_answers_with_a_page(site):
    site.publish("A post before the form")
    site.settle()
    home = site.http.get(f"{site.cdn}/", timeout=30)
    assert home.status_code == 200
    [form] = re.findall(r'<form method="post" action="([^"]*)">', home.text)
    assert form == "/api/subscribers"  # same origin: the distribution routes it to the subscribers API
    address = f"{unique('form')}@example.com"
    answer = site.http.post(f"{site.cdn}{form}", data={"email": address}, timeout=30)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "Thanks for subscribing" in answer.text and '<a href="/">' in answer.text
    assert site.welcome_link(address).startswith(f"{site.site_url}/api/subscribers/unsubscribe?token=")


def test_the_blog_api_behind_the_cdn_is_untouched(site):
    answer = requests.get(f"{site.cdn}/api/posts", timeout=30)
    assert answer.status_code == 200 and "items" in answer.json()
