"""feed.xml is valid Atom (RFC 4287: its RELAX NG grammar and its Schematron rule) and sitemap.xml is a valid
sitemaps.org 0.9 urlset, for an empty site, an ordinary one, and one with awkward text and tags."""

from __future__ import annotations

from pathlib import Path

import pytest
from blog.site import url_path
from lxml import etree

from tests.blog.site_posts import BASE_URL, by_path, cover, post, posts, renderer

SCHEMAS = Path(__file__).parent / "schemas"
ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@pytest.fixture(scope="module")
def atom() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))


@pytest.fixture(scope="module")
def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(SCHEMAS / "sitemap.xsd"))


SITES = {
    "empty": [],
    "ordinary": posts(25, cover=cover()),
    "awkward": [
        post(3, title="Ünïcödé & <friends>", tags=["日本語", "C++", "R&D"], excerpt=""),
        post(2, title="]]> not a CDATA end", html="<p>]]&gt; &lt;![CDATA[</p>", tags=[]),
        post(1, updatedAt="2024-01-01T00:00:00Z"),  # updated "before" published: clamped
    ],
}


@pytest.mark.parametrize("site", SITES)
def test_feed_is_valid_atom(site, atom):
    feed = etree.fromstring(by_path(renderer().site(SITES[site]))["feed.xml"].body)
    assert atom.validate(feed), atom.error_log
    assert feed.tag == f"{A}feed"
    # RFC 4287 4.1.1's Schematron rule: a feed has an author unless every entry has one.
    assert feed.find(f"{A}author/{A}name") is not None or all(
        e.find(f"{A}author") is not None for e in feed.iter(f"{A}entry")
    )


def test_feed_has_ids_updated_and_a_self_link():
    given = posts(25, cover=cover())
    feed = etree.fromstring(by_path(renderer().site(given))["feed.xml"].body)
    assert feed.findtext(f"{A}id") == f"{BASE_URL}/"
    assert feed.get(XML_BASE) == f"{BASE_URL}/"
    links = {link.get("rel"): link for link in feed.findall(f"{A}link")}
    assert links["self"].get("href") == f"{BASE_URL}/feed.xml"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == f"{BASE_URL}/"
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 20  # the newest feed_size posts
    assert [e.findtext(f"{A}id") for e in entries] == [f"{BASE_URL}/posts/{p['slug']}" for p in given[:20]]
    assert feed.findtext(f"{A}updated") == max(e.findtext(f"{A}updated") for e in entries)
    for entry, source in zip(entries, given, strict=False):
        assert entry.find(f"{A}link[@rel='alternate']").get("href") == entry.findtext(f"{A}id")
        assert entry.find(f"{A}content").get("type") == "html"
        assert entry.find(f"{A}content").text == source["html"]
        assert entry.findtext(f"{A}published") == source["publishedAt"]
        assert entry.findtext(f"{A}updated") == source["updatedAt"]
        assert entry.findtext(f"{A}summary") == source["excerpt"]


def test_feed_size_is_an_option():
    feed = etree.fromstring(by_path(renderer(feed_size=3).site(posts(5)))["feed.xml"].body)
    assert len(feed.findall(f"{A}entry")) == 3


def test_an_entry_is_never_updated_before_it_was_published():
    feed = etree.fromstring(by_path(renderer().site(SITES["awkward"]))["feed.xml"].body)
    for entry in feed.findall(f"{A}entry"):
        assert entry.findtext(f"{A}updated") >= entry.findtext(f"{A}published")


@pytest.mark.parametrize("site", SITES)
def test_sitemap_is_valid(site, sitemap_schema):
    pages = by_path(renderer().site(SITES[site]))
    sitemap = etree.fromstring(pages["sitemap.xml"].body)
    assert sitemap_schema.validate(sitemap), sitemap_schema.error_log
    locs = [url.findtext(f"{SM}loc") for url in sitemap.findall(f"{SM}url")]
    assert len(locs) == len(set(locs))
    expected = {BASE_URL + url_path(key) for key in pages if key == "index.html" or key.startswith(("posts/", "tags/"))}
    assert set(locs) == expected
    assert all(loc.isascii() for loc in locs)


def test_sitemap_lastmod_is_each_pages_last_change():
    given = [post(2, tags=["a"]), post(1, tags=["a"], updatedAt="2024-09-09T09:09:09Z")]
    sitemap = etree.fromstring(by_path(renderer().site(given))["sitemap.xml"].body)
    lastmod = {u.findtext(f"{SM}loc"): u.findtext(f"{SM}lastmod") for u in sitemap.findall(f"{SM}url")}
    assert lastmod[f"{BASE_URL}/posts/post-2"] == given[0]["updatedAt"]
    assert lastmod[f"{BASE_URL}/posts/post-1"] == "2024-09-09T09:09:09Z"
    assert lastmod[f"{BASE_URL}/tags/a"] == lastmod[f"{BASE_URL}/"] == "2024-09-09T09:09:09Z"


def test_the_schemas_reject_what_they_should():
    atom = etree.RelaxNG(etree.parse(SCHEMAS / "atom.rng"))
    no_id = f'<feed xmlns="{ATOM_NS}"><title>t</title><updated>2024-01-01T00:00:00Z</updated></feed>'
    bad_date = f'<feed xmlns="{ATOM_NS}"><id>x</id><title>t</title><updated>May 2024</updated></feed>'
    for document in (no_id, bad_date):
        assert not atom.validate(etree.fromstring(document))
    xsd = etree.XMLSchema(etree.parse(SCHEMAS / "sitemap.xsd"))
    no_loc = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><lastmod>2024-01-01</lastmod></url></urlset>'
    )
    assert not xsd.validate(etree.fromstring(no_loc))
