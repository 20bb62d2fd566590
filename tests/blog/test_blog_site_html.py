"""Every generated HTML page is valid HTML5 (the Nu HTML Checker, with the stylesheet and the icon), and has
what Lighthouse's accessibility, SEO and best-practice audits look for: lang, one h1 and no skipped heading
level, landmarks and a skip link, alt text and sizes on images, lazy images below the fold, a title, a meta
description, a canonical link and Open Graph, no inline script, style or event handler, root-relative links
that all lead to a page of the site (or to /media/ and the API), and the beacon on post pages only.

The checker is `tools/web`'s vnu.jar (`make web-deps`), run once over the whole site. Its test skips only when
java or the jar cannot be had, and then says so loudly."""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from blog.site import url_path

from tests.blog.site_html import HEADINGS, Document, read
from tests.blog.site_posts import BASE_URL, PAGE_SIZE, by_path, cover, draft, posts, renderer, text

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(os.environ.get("VNU_JAR", ROOT / "tools/web/node_modules/vnu-jar/build/dist/vnu.jar"))
VNU_SKIP = "!!! THE NU HTML CHECKER DID NOT RUN"


def unsized_cover() -> dict:
    return {"alt": "", "renditions": [{"url": "/media/renditions/u/800.webp", "width": 800, "format": "webp"}]}


def the_site() -> dict:
    """A site with every kind of page and every optional part present and absent."""
    given = posts(2 * PAGE_SIZE + 1, cover=cover(), tags=["Python", "C++", "日本語"])
    given[1] = {**given[1], "cover": None, "excerpt": "", "tags": []}
    given[2] = {**given[2], "cover": unsized_cover(), "html": "<h2>A</h2><h3>B</h3><p>deep</p>"}
    pages = renderer().site(given) + renderer().preview(draft(cover=cover())) + renderer().preview(draft(98))
    return by_path(pages)


SITE = the_site()
HTML_PAGES = sorted(path for path in SITE if path.endswith(".html"))
PUBLIC = [path for path in HTML_PAGES if not path.startswith("preview/") and path != "404.html"]


@pytest.fixture(scope="module")
def vnu_messages(tmp_path_factory) -> list[dict]:
    java = shutil.which("java")
    if not java or not VNU_JAR.is_file():
        missing = "java" if not java else str(VNU_JAR)
        pytest.skip(f"{VNU_SKIP} ({missing} is missing): run `make web-deps` (npm ci in tools/web, and a JDK)")
    out = tmp_path_factory.mktemp("site")
    checked = []
    for path, page in SITE.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page.body)
        if path.endswith((".html", ".css", ".svg")):
            checked.append(str(target))
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--also-check-css", "--also-check-svg", *checked],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    report = json.loads(run.stderr)
    for message in report["messages"]:
        message["url"] = message.get("url", "").split(str(out), 1)[-1]
    return report["messages"]


def test_every_page_is_valid_html5(vnu_messages):
    assert vnu_messages == []


def test_the_checker_checked_every_kind_of_page():
    assert {"index.html", "page/2/index.html", "404.html", "posts/post-1/index.html"} <= set(HTML_PAGES)
    assert any(p.startswith("tags/") for p in HTML_PAGES) and any(p.startswith("preview/") for p in HTML_PAGES)


@pytest.fixture(params=HTML_PAGES)
def page(request) -> tuple[str, Document]:
    return request.param, read(text(SITE[request.param]))


def test_language_title_description_and_viewport(page):
    _, doc = page
    assert doc.all("html")[0].attrs.get("lang") == "en"
    assert doc.all("title")[0].text.strip()
    assert 0 < len((doc.meta("description") or "").strip()) <= 160
    assert doc.meta("viewport") == "width=device-width, initial-scale=1"
    assert doc.elements[2].tag == "meta" and doc.elements[2].attrs == {"charset": "utf-8"}


def test_one_h1_and_no_skipped_heading_level(page):
    _, doc = page
    levels = [int(e.tag[1]) for e in doc.elements if e.tag in HEADINGS]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_landmarks_and_a_skip_link_first(page):
    _, doc = page
    tags = [e.tag for e in doc.elements]
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in tags
    assert doc.all("main")[0].attrs.get("id") == "main"
    first_link = next(e for e in doc.elements if e.tag == "a")
    assert first_link.attrs == {"class": "skip", "href": "#main"}
    assert all(e.attrs.get("aria-label") for e in doc.all("nav"))


def test_images_have_alt_and_size_and_only_the_first_is_eager(page):
    _, doc = page
    images = doc.all("img")
    for img in images:
        assert "alt" in img.attrs
        assert img.attrs.get("width") and (img.attrs.get("height") or img.attrs.get("class") == "unsized")
        assert img.attrs.get("sizes")
    for later in images[1:]:
        assert later.attrs.get("loading") == "lazy"
    for picture_source in doc.all("source"):
        assert picture_source.attrs["type"] == "image/webp" and picture_source.attrs.get("sizes")


def test_no_inline_script_style_or_event_handler(page):
    path, doc = page
    for e in doc.elements:
        assert not [name for name in e.attrs if name.startswith("on")], (path, e)
        assert "style" not in e.attrs and e.tag != "style", (path, e)
    scripts = doc.all("script")
    if path.startswith("posts/"):
        assert len(scripts) == 1
        assert re.fullmatch(r"/assets/beacon\.[0-9a-f]{12}\.js", scripts[0].attrs["src"])
        assert "defer" in scripts[0].attrs
    else:
        assert scripts == []


def test_links_are_root_relative_and_lead_to_the_site(page):
    path, doc = page
    keys_by_url = {url_path(key): key for key in SITE}
    for element, url in doc.urls():
        if element.attrs.get("rel") == "canonical":
            continue
        assert url.startswith(("/", "#")) and not url.startswith("//"), (path, url)
        assert "../" not in url
        if url.startswith(("/media/", "/api/", "#")):
            continue
        target = url.split("#")[0]
        assert target in keys_by_url, (path, url)


def test_public_pages_have_canonical_and_open_graph(page):
    path, doc = page
    if path not in PUBLIC:
        assert doc.meta("robots") == "noindex" and doc.link("canonical") is None
        return
    canonical = BASE_URL + url_path(path)
    assert doc.link("canonical") == canonical and doc.meta("og:url") == canonical
    assert doc.meta("robots") is None
    for key in ("og:title", "og:description", "og:type", "og:site_name"):
        assert doc.meta(key), key
    if path.startswith("posts/") and doc.all("picture"):
        assert doc.meta("og:image").startswith(BASE_URL + "/media/")


def test_the_post_cover_is_the_eager_high_priority_image():
    doc = read(text(SITE["posts/post-1/index.html"]))
    img = doc.all("img")[0]
    assert img.attrs.get("fetchpriority") == "high" and "loading" not in img.attrs


def test_the_subscribe_form_is_a_plain_same_origin_post():
    doc = read(text(SITE["index.html"]))
    form = doc.all("form")[0]
    assert form.attrs == {"method": "post", "action": "/api/subscribers"}
    email = doc.all("input")[0]
    assert email.attrs["name"] == "email" and email.attrs["type"] == "email" and "required" in email.attrs
    label = doc.all("label")[0]
    assert label.attrs["for"] == email.attrs["id"]
    assert doc.all("button")[0].attrs["type"] == "submit"
