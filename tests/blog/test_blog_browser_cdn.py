"""The blog in headless Chromium (Debian's, through Playwright) through the local CDN, from the root
template: the home page lists a published post, a click opens it rendered, the page's beacon goes to the
same origin, nothing in the page goes cross-origin, and an XSS payload in the post's Markdown stays text.
A screenshot of the post is kept with the test's artifacts (its tmp_path).

Skips only when chromium is not installed (`make browser-deps`)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.blog.test_blog_localcloud import Blog, edge_config  # noqa: F401 (a fixture)
from tests.support.localcloud import unique

pytestmark = [pytest.mark.localcloud, pytest.mark.timeout(240)]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
XSS = 'Hi <img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [x](javascript:window.__xss=3)'


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"chromium is not installed ({CHROMIUM} is missing): run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


def test_a_reader_browses_from_home_to_a_post_on_one_origin(browser, localcloud, edge_config, tmp_path):  # noqa: F811
    blog = Blog(localcloud)
    admin = blog.token("browser-editor", "admins")
    slug = unique("browsed")
    post = {"slug": slug, "title": "Browsed post", "body": f"# Section\n\n{XSS}", "tags": ["Browsers"]}
    assert blog.api("POST", "/posts", admin, json=post).status_code == 201
    assert blog.api("POST", f"/posts/{slug}/publish", admin).status_code == 200
    blog.settle()

    origin = urlsplit(blog.cdn).netloc
    requests_seen: list[str] = []
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    page.on("request", lambda request: requests_seen.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{blog.cdn}/", wait_until="load")
    page.click(f'a[href="/posts/{slug}"]')
    page.wait_for_url(f"{blog.cdn}/posts/{slug}")
    assert page.locator("h1").inner_text() == "Browsed post"
    assert page.locator("main h2").first.inner_text() == "Section"
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith(f"/api/posts/{slug}/views")):
        page.reload(wait_until="load")  # the beacon fires on each view
    page.screenshot(path=tmp_path / "post.png", full_page=True)

    assert page.evaluate("window.__xss") is None
    assert "window.__xss=1" in page.locator("main").inner_text()  # shown as text
    assert not errors
    assert requests_seen and all(urlsplit(url).netloc == origin for url in requests_seen), requests_seen
    assert (tmp_path / "post.png").stat().st_size > 0
    context.close()
