"""Where each page lives: its key in the site bucket, its canonical URL path, and the tag slug rule.

Links in the pages are root-relative (`/posts/<slug>`, `/assets/site.<hash>.css`): they work on any host and
scheme (the CDN's domain, the local edge, a test server) and, unlike `../`-relative links, from every URL
a page is served at. The same post answers at `/posts/<slug>` and `/posts/<slug>/index.html`, and
`404.html` answers at any missing path, so a path-relative link would resolve differently in each.
Absolute URLs (on `base_url`) appear only where a standard demands them: canonical links, Open Graph, the
feed and the sitemap.

The canonical URL of a page is its key without `/index.html` and without a trailing slash
(`posts/a/index.html` → `/posts/a`); `index.html` is `/`. The viewer-request function maps such a path
back to its key and redirects the trailing-slash duplicate to it.

Tag slugs. A tag is free text ("C++", "Node.js", "Café", "日本語"), so its page needs a slug that is a
safe key and a stable URL:
- NFKC-normalised and case-folded, so "Python" and "python" are one tag;
- "+", "#" and "&" become the words "plus", "sharp" and "and", so "C", "C++" and "C#" stay apart;
- every run of characters that are not letters, marks or digits (Unicode categories L, M, N) becomes
  one "-", with none at either end: "Node.js" → "node-js", "machine  learning" → "machine-learning";
- letters outside ASCII are kept as they are ("café", "日本語"): the key holds them in UTF-8, and links,
  the sitemap and invalidation paths carry them percent-encoded (`/tags/caf%C3%A9`);
- a tag with no letter or digit ("!!!") has an empty slug and gets no page.
Tags whose slugs are equal are one tag; its page shows the spelling of its newest post.
"""

from __future__ import annotations

import re
from urllib.parse import quote

POST_SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"  # compiled by `re` on first use, not at the API's cold start
_WORDS = {"+": " plus ", "#": " sharp ", "&": " and "}
_INDEX = "index.html"


def tag_slug(tag: str) -> str:
    import unicodedata  # a shared library, loaded on the first tag rather than at the API's cold start

    text = unicodedata.normalize("NFKC", tag).casefold()
    for symbol, word in _WORDS.items():
        text = text.replace(symbol, word)
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in text)
    return "-".join(kept.split())


def check_post_slug(slug: object) -> str:
    """A post slug becomes a bucket key: anything but the API's slug shape (no `/`, no `..`) is refused."""
    if not isinstance(slug, str) or not re.fullmatch(POST_SLUG, slug):
        raise ValueError(f"not a post slug: {slug!r}")
    return slug


def home_key(number: int) -> str:
    return _INDEX if number == 1 else f"page/{number}/{_INDEX}"


def post_key(slug: str) -> str:
    return f"posts/{slug}/{_INDEX}"


def preview_key(slug: str) -> str:
    return f"preview/{slug}/{_INDEX}"


def tag_key(slug: str) -> str:
    return f"tags/{slug}/{_INDEX}"


def url_path(key: str) -> str:
    """The canonical, percent-encoded URL path of a bucket key: what links, the sitemap and a CDN
    invalidation name (`posts/a/index.html` → `/posts/a`, `feed.xml` → `/feed.xml`, `index.html` → `/`)."""
    if key == _INDEX:
        return "/"
    if key.endswith("/" + _INDEX):
        key = key[: -len(_INDEX) - 1]
    return "/" + quote(key, safe="/")
