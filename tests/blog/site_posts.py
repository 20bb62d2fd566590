"""Posts in the shape the blog service hands to `blog.site` (a dict per post, newest first), and a renderer
on a fixed site, for the site renderer's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from blog.site import Page, SiteRenderer

BASE_URL = "https://blog.example.com"
PAGE_SIZE = 3
_START = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def renderer(**options) -> SiteRenderer:
    return SiteRenderer(site_name="MyBlog", base_url=BASE_URL, page_size=PAGE_SIZE, api_path="/api", **options)


def cover(media_id: str = "0b6f4c6e-3a4b-4c8d-9e2f-1a2b3c4d5e6f", alt: str = "A lighthouse at dusk") -> dict:
    return {
        "alt": alt,
        "renditions": [
            {"url": f"/media/renditions/{media_id}/{w}.{ext}", "width": w, "height": w * 9 // 16, "format": fmt}
            for w in (400, 800, 1600)
            for fmt, ext in (("webp", "webp"), ("jpeg", "jpg"))
        ],
    }


def post(n: int = 1, **fields) -> dict:
    """The n-th post: a later n is newer. Any field can be overridden."""
    moment = _START + timedelta(days=n)
    return {
        "slug": f"post-{n}",
        "title": f"Post number {n}",
        "html": f'<h2>Part {n}</h2>\n<p>Body of <em>post</em> {n}, with <a href="/posts/post-1">a link</a>.</p>\n',
        "excerpt": f"What post {n} is about.",
        "tags": ["Python"],
        "cover": None,
        "publishedAt": moment.isoformat().replace("+00:00", "Z"),
        "updatedAt": (moment + timedelta(hours=2)).isoformat().replace("+00:00", "Z"),
        "status": "published",
        **fields,
    }


def posts(count: int, **fields) -> list[dict]:
    """`count` published posts, newest first, as the service lists them."""
    return [post(n, **fields) for n in range(count, 0, -1)]


def draft(n: int = 99, **fields) -> dict:
    return post(n, status="draft", publishedAt=None, **fields)


def by_path(pages: list[Page]) -> dict[str, Page]:
    return {page.path: page for page in pages}


def text(page: Page) -> str:
    return page.body.decode("utf-8")
