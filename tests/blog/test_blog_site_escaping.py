"""Everything a writer types is escaped; the body, sanitised upstream, is kept exactly as given (and escaped
once more only where Atom wants escaped HTML)."""

from __future__ import annotations

from lxml import etree

from tests.blog.site_posts import by_path, cover, post, renderer, text

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<script>alert(1)</script> \"quoted\" & 'single'"
BODY = (
    '<h2>Kept</h2>\n<p>a &amp; b, <a href="https://other.example/?a=1&amp;b=2">a link</a></p>\n'
    "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>\n"
)


def hostile_site() -> dict:
    given = post(1, title=HOSTILE, excerpt=HOSTILE, tags=[HOSTILE], html=BODY, cover=cover(alt=HOSTILE))
    return by_path(renderer().site([given]))


def test_a_title_with_a_script_is_escaped_on_every_page_and_in_every_attribute():
    pages = hostile_site()
    for path, page in pages.items():
        if path.startswith("assets/"):
            continue
        body = text(page)
        assert "<script>alert" not in body, path
        assert '"quoted"' not in body, path
    html = text(pages["posts/post-1/index.html"])
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &#34;quoted&#34; &amp; &#39;single&#39;"
    assert f"<h1>{escaped}</h1>" in html
    assert f'<meta property="og:title" content="{escaped}">' in html
    assert f'<meta name="description" content="{escaped}">' in html
    assert f'alt="{escaped}"' in html
    assert f"<title>{escaped} · MyBlog</title>" in html


def test_the_sanitised_body_is_kept_as_is():
    html = text(hostile_site()["posts/post-1/index.html"])
    assert BODY.strip() in html


def test_the_feed_carries_the_body_as_escaped_html_that_reads_back_unchanged():
    feed = etree.fromstring(hostile_site()["feed.xml"].body)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert entry.find(f"{ATOM}content").text == BODY
    assert entry.find(f"{ATOM}title").text == HOSTILE
    assert entry.find(f"{ATOM}category").get("term") == HOSTILE


def test_control_characters_are_dropped_so_html_and_xml_stay_valid():
    given = post(1, title="Bell\x07 and\x00 escape\x1b", excerpt="tab\tkept", html="<p>x\x0by</p>", tags=["a\x0cb"])
    pages = by_path(renderer().site([given]))
    html = text(pages["posts/post-1/index.html"])
    assert "<h1>Bell and escape</h1>" in html and "<p>xy</p>" in html
    feed = etree.fromstring(pages["feed.xml"].body)
    assert feed.find(f"{ATOM}entry/{ATOM}title").text == "Bell and escape"
    etree.fromstring(pages["sitemap.xml"].body)


def test_cover_urls_that_are_not_same_origin_or_https_are_dropped():
    bad = {
        "alt": "x",
        "renditions": [
            {"url": "javascript:alert(1)", "width": 800, "format": "jpeg"},
            {"url": "//evil.example/a.jpg", "width": 800, "format": "jpeg"},
            {"url": "http://plain.example/a.jpg", "width": 800, "format": "jpeg"},
            {"url": "/media/a.jpg 1x, /x.jpg", "width": 800, "format": "jpeg"},
            {"url": "/media/ok.webp", "width": 0, "format": "webp"},
            {"url": "/media/ok.gif", "width": 800, "format": "gif"},
        ],
    }
    html = text(by_path(renderer().site([post(1, cover=bad)]))["posts/post-1/index.html"])
    assert "<picture" not in html and "javascript:" not in html and "evil.example" not in html
