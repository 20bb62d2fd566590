"""The rendered site in headless Chromium (Debian's, through Playwright), served with exactly the CSP that
`blog.site` documents: the pages load with no CSP violation, console error or cross-origin request; a post
page sends its view beacon; the subscribe form works as a plain POST with JavaScript off; a phone-sized
screen never scrolls sideways; an XSS payload in a title stays text; the 404 page is styled at any depth.

Skips only when chromium is not installed (`make browser-deps`)."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.blog.site_posts import cover, post, posts, renderer
from tests.blog.site_server import SiteServer, serving

pytestmark = pytest.mark.timeout(180)

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
XSS = '<img src=x onerror="window.__xss=1">'
PHONE = {"width": 375, "height": 667}


def site_pages() -> list:
    given = [post(9, title=f"Hostile {XSS}", excerpt=XSS, tags=[XSS]), *posts(4, cover=cover())]
    return renderer().site(given)


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"chromium is not installed ({CHROMIUM} is missing): run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def site():
    with serving(site_pages()) as server:
        yield server


class Watch:
    """What a page did wrong: console errors, uncaught errors, CSP violations, requests off the site."""

    def __init__(self, context, site: SiteServer) -> None:
        self.problems: list[str] = []
        origin = urlsplit(site.url).netloc

        def same_origin_only(route) -> None:
            if urlsplit(route.request.url).netloc == origin:
                route.continue_()
            else:
                self.problems.append(f"cross-origin request: {route.request.url}")
                route.abort()

        context.route("**/*", same_origin_only)
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective))"
        )

    def page(self, context):
        page = context.new_page()
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        return page


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_home_to_post_with_the_beacon_and_no_csp_violation(browser, site, tmp_path):
    context = browser.new_context(viewport=PHONE)
    watch = Watch(context, site)
    page = watch.page(context)
    page.goto(site.url + "/")
    assert page.title() == "MyBlog"
    page.screenshot(path=tmp_path / "home-phone.png", full_page=True)
    page.click("text=Post number 4")
    page.wait_for_url("**/posts/post-4")
    assert page.locator("h1").inner_text() == "Post number 4"
    assert wait_for(lambda: any(p[0] == "/api/posts/post-4/views" for p in site.posts))
    assert page.evaluate("document.querySelector('picture img').complete && document.querySelector('img').naturalWidth")
    page.screenshot(path=tmp_path / "post-phone.png", full_page=True)
    context.close()
    assert watch.problems == []
    assert [p for p in site.posts if p[0].endswith("/views")] == [("/api/posts/post-4/views", "", b"")]


def test_a_phone_never_scrolls_sideways(browser, site):
    context = browser.new_context(viewport=PHONE)
    watch = Watch(context, site)
    page = watch.page(context)
    for path in ("/", "/posts/post-1", "/tags/python", "/page/2", "/no/such/page"):
        page.goto(site.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16, path
    context.close()
    assert watch.problems == [] or all("404" in p for p in watch.problems), watch.problems


def test_the_subscribe_form_works_as_a_plain_post_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url + "/")
    page.fill("#email", "reader@example.com")
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/")
    context.close()
    assert ("/api/subscribers", "application/x-www-form-urlencoded", b"email=reader%40example.com") in site.posts
    assert not any(p[0].endswith("/views") for p in site.posts)  # no script, no beacon


def test_an_xss_payload_in_a_title_stays_text(browser, site):
    context = browser.new_context()
    watch = Watch(context, site)
    page = watch.page(context)
    for path in ("/", "/posts/post-9"):
        page.goto(site.url + path)
        assert page.evaluate("window.__xss") is None
        assert XSS in page.locator("body").inner_text()
    context.close()
    assert watch.problems == []


def test_the_404_page_is_styled_at_any_depth(browser, site):
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(site.url + "/posts/a/b/c/d")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") == "flex"
    context.close()
