"""Which objects a render makes, under which keys and headers: pagination edges, tag pages and their slug
rule, previews, determinism, and the input the renderer refuses."""

from __future__ import annotations

import re

import pytest
from blog.site import Page, SiteRenderer, tag_slug, url_path

from tests.blog.site_posts import BASE_URL, PAGE_SIZE, by_path, draft, post, posts, renderer, text

FIXED = {"404.html", "feed.xml", "sitemap.xml", "robots.txt"}
ASSET = re.compile(r"^assets/(site|beacon|icon)\.[0-9a-f]{12}\.(css|js|svg)$")


def html_keys(pages: list[Page]) -> set[str]:
    return {page.path for page in pages if not ASSET.match(page.path)} - FIXED


@pytest.mark.parametrize(
    ("count", "home_pages"),
    [(0, ["index.html"]), (1, ["index.html"]), (PAGE_SIZE, ["index.html"]),
     (PAGE_SIZE + 1, ["index.html", "page/2/index.html"]),
     (2 * PAGE_SIZE + 1, ["index.html", "page/2/index.html", "page/3/index.html"])],
)  # fmt: skip
def test_pagination_edges(count, home_pages):
    pages = renderer().site(posts(count))
    keys = html_keys(pages)
    assert sorted(k for k in keys if k == "index.html" or k.startswith("page/")) == sorted(home_pages)
    assert {k for k in keys if k.startswith("posts/")} == {f"posts/post-{n}/index.html" for n in range(1, count + 1)}
    assert {page.path for page in pages} >= FIXED
    listed = [re.findall(r'<h2><a href="/posts/(post-\d+)">', text(by_path(pages)[key])) for key in home_pages]
    assert [slug for page in listed for slug in page] == [f"post-{n}" for n in range(count, 0, -1)]
    assert all(len(page) <= PAGE_SIZE for page in listed)


def test_pagination_links_point_both_ways_and_stop_at_the_ends():
    pages = by_path(renderer().site(posts(2 * PAGE_SIZE + 1)))
    first, middle, last = (text(pages[k]) for k in ("index.html", "page/2/index.html", "page/3/index.html"))
    assert 'rel="next" href="/page/2"' in first and 'rel="prev"' not in first
    assert 'rel="prev" href="/"' in middle and 'rel="next" href="/page/3"' in middle
    assert 'rel="prev" href="/page/2"' in last and 'rel="next"' not in last
    assert "Page 2 of 3" in middle
    assert 'id="subscribe"' in first and 'id="subscribe"' not in middle


def test_an_empty_site_still_has_a_home_page_feed_and_sitemap():
    pages = by_path(renderer().site([]))
    assert "No posts yet." in text(pages["index.html"])
    assert "<entry>" not in text(pages["feed.xml"])
    assert "<updated>1970-01-01T00:00:00Z</updated>" in text(pages["feed.xml"])
    assert text(pages["sitemap.xml"]).count("<url>") == 1


def test_headers_by_kind_of_object():
    pages = renderer().site(posts(2)) + renderer().preview(draft())
    kinds = {page.path: (page.content_type, page.cache_control) for page in pages}
    long, short = "public, max-age=31536000, immutable", "public, max-age=60, s-maxage=300"
    for path, (content_type, cache_control) in kinds.items():
        if path.startswith("assets/"):
            assert cache_control == long
        elif path.startswith("preview/"):
            assert (content_type, cache_control) == ("text/html; charset=utf-8", "no-store")
        else:
            assert cache_control == short
        if path.endswith(".html"):
            assert content_type == "text/html; charset=utf-8"
    assert kinds["feed.xml"][0] == "application/atom+xml; charset=utf-8"
    assert kinds["sitemap.xml"][0] == "application/xml; charset=utf-8"
    assert kinds["robots.txt"][0] == "text/plain; charset=utf-8"
    assert {c for path, (c, _) in kinds.items() if path.startswith("assets/")} == {
        "text/css; charset=utf-8", "text/javascript; charset=utf-8", "image/svg+xml"}  # fmt: skip


def test_assets_come_first_so_no_page_links_to_a_missing_one():
    pages = renderer().site(posts(2))
    kinds = [bool(ASSET.match(page.path)) for page in pages]
    assert kinds == sorted(kinds, reverse=True) and kinds.count(True) == 3
    hrefs = {"/" + page.path for page in pages if ASSET.match(page.path)}
    for page in pages:
        for href in re.findall(r'(?:href|src)="(/assets/[^"]+)"', text(page)):
            assert href in hrefs


def test_same_posts_give_the_same_bytes_whatever_their_order():
    given = posts(7, tags=["Python", "C++"], cover=None)
    first = renderer().site(given)
    assert renderer().site([dict(p) for p in given]) == first
    assert renderer().site(list(reversed(given))) == first
    assert renderer().preview(draft()) == renderer().preview(draft())


def test_a_new_post_changes_only_the_pages_that_show_it():
    before = by_path(renderer().site(posts(PAGE_SIZE + 2, tags=["Python"])))
    after = by_path(renderer().site([post(50, tags=["Rust"]), *posts(PAGE_SIZE + 2, tags=["Python"])]))
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {"posts/post-50/index.html", "tags/rust/index.html", "index.html", "page/2/index.html",
                       "feed.xml", "sitemap.xml"}  # fmt: skip
    assert set(before) <= set(after)


@pytest.mark.parametrize(
    ("tag", "slug"),
    [("Python", "python"), ("  machine   Learning ", "machine-learning"), ("C++", "c-plus-plus"),
     ("C#", "c-sharp"), ("C", "c"), ("R&D", "r-and-d"), ("Node.js", "node-js"), ("a/b?c", "a-b-c"),
     ("../etc", "etc"), ("Café", "café"), ("\uff30\uff39\uff34\uff28\uff2f\uff2e", "python"),
     ("日本語", "日本語"), ("हिन्दी", "हिन्दी"), ("100%", "100"), ("!!!", "")],
)  # fmt: skip
def test_tag_slug_rule(tag, slug):
    assert tag_slug(tag) == slug


def test_tag_pages_with_tags_that_need_url_encoding():
    given = [post(2, tags=["Café", "C++", "日本語"]), post(1, tags=["café", "C", "!!!"])]
    pages = by_path(renderer().site(given))
    tags = sorted(k for k in pages if k.startswith("tags/"))
    assert tags == [f"tags/{slug}/index.html" for slug in ("c-plus-plus", "c", "café", "日本語")]
    cafe = text(pages["tags/café/index.html"])
    assert "Posts tagged “Café”" in cafe  # the newest post's spelling names the merged tag
    assert cafe.count('<article class="card">') == 2
    assert f'<link rel="canonical" href="{BASE_URL}/tags/caf%C3%A9">' in cafe
    home = text(pages["index.html"])
    assert 'href="/tags/caf%C3%A9"' in home and 'href="/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E"' in home
    assert 'href="/tags/c-plus-plus"' in home and 'href="/tags/c"' in home
    assert "!!!" not in home  # no slug, no page and no link
    assert f"<loc>{BASE_URL}/tags/%E6%97%A5%E6%9C%AC%E8%AA%9E</loc>" in text(pages["sitemap.xml"])


@pytest.mark.parametrize(
    ("key", "path"),
    [("index.html", "/"), ("page/2/index.html", "/page/2"), ("posts/a-b/index.html", "/posts/a-b"),
     ("tags/café/index.html", "/tags/caf%C3%A9"), ("feed.xml", "/feed.xml"), ("404.html", "/404.html"),
     ("assets/site.0123456789ab.css", "/assets/site.0123456789ab.css")],
)  # fmt: skip
def test_url_path_of_each_kind_of_key(key, path):
    assert url_path(key) == path


def test_preview_renders_a_draft_noindex_without_beacon_or_canonical():
    pages = renderer().preview(draft(7, title="Work in progress"))
    assert [p.path for p in pages if not ASSET.match(p.path)] == ["preview/post-7/index.html"]
    html = text(pages[-1])
    assert '<meta name="robots" content="noindex">' in html
    assert "Work in progress" in html and "Draft, not published" in html
    assert "beacon" not in html and 'rel="canonical"' not in html and "og:" not in html


def test_post_page_has_the_beacon_for_its_slug():
    html = text(by_path(renderer().site([post(3)]))["posts/post-3/index.html"])
    beacon = r'<script src="/assets/beacon\.[0-9a-f]{12}\.js" data-views="/api/posts/post-3/views" defer>'
    assert re.search(beacon, html)


def test_api_path_is_taken_from_the_renderer():
    pages = by_path(SiteRenderer("MyBlog", BASE_URL, 10, "/v1/blog/").site([post(1)]))
    assert 'data-views="/v1/blog/posts/post-1/views"' in text(pages["posts/post-1/index.html"])
    assert 'action="/v1/blog/subscribers"' in text(pages["index.html"])
    assert "Disallow: /v1/blog/\n" in text(pages["robots.txt"])


@pytest.mark.parametrize(
    "bad",
    [{"slug": "../x"}, {"slug": "Upper"}, {"slug": "a/b"}, {"status": "draft"}, {"publishedAt": None},
     {"publishedAt": "yesterday"}, {"updatedAt": "2024-13-01T00:00:00Z"}],
)  # fmt: skip
def test_refuses_posts_that_would_make_a_wrong_site(bad):
    with pytest.raises(ValueError, match=r"post|slug"):
        renderer().site([post(1, **bad)])


def test_refuses_a_slug_given_twice():
    with pytest.raises(ValueError, match="twice"):
        renderer().site([post(1), post(1)])


@pytest.mark.parametrize(
    "options",
    [{"base_url": "blog.example.com"}, {"base_url": "ftp://x"}, {"base_url": "https://x/?a=1"},
     {"api_path": "api"}, {"api_path": "//evil.example/api"}, {"api_path": "/"}, {"page_size": 0}],
)  # fmt: skip
def test_refuses_a_site_that_would_link_elsewhere(options):
    with pytest.raises(ValueError):
        SiteRenderer(**{"site_name": "MyBlog", "base_url": BASE_URL, "page_size": 10, "api_path": "/api", **options})


def test_dates_are_printed_in_utc():
    html = text(by_path(renderer().site([post(1, publishedAt="2024-05-01T23:30:00-02:00")]))["posts/post-1/index.html"])
    assert '<time datetime="2024-05-02T01:30:00Z">2 May 2024</time>' in html


def test_a_long_excerpt_is_cut_at_a_word_for_the_meta_description():
    excerpt = "word " * 60 + "end"
    pages = by_path(renderer().site([post(1, excerpt=excerpt)]))
    html = text(pages["posts/post-1/index.html"])
    description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert len(description) <= 160 and description.endswith("word…")
    assert excerpt in text(pages["index.html"])  # the card shows all of it
