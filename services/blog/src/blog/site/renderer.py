"""SiteRenderer: published posts in, every object of the public site out; a draft in, its preview out.

Pure: no clock, no randomness, no I/O but reading the package's own templates and assets. The same posts
give the same pages, byte for byte, whatever order they come in (newest first by `publishedAt`, then by
slug), so `render-site` can compare each page with the bucket's copy and write and invalidate only the
ones that changed. The list is ordered assets first: a writer that follows it never publishes a page whose
stylesheet or script is not there yet. Keys of an earlier render that are not in the list (a page
`page/N/` that is no longer needed, a tag no post has any more) are stale and are the caller's to delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from blog.site.assets import assets
from blog.site.pages import ATOM, HTML, NO_STORE, SHORT, TEXT, XML, Page
from blog.site.templating import render
from blog.site.urls import home_key, post_key, preview_key, tag_key, url_path
from blog.site.views import PostView, TagLink, latest, post_view


@dataclass(frozen=True)
class SiteInfo:
    """What every template knows about the site."""

    name: str
    base_url: str
    api_path: str
    lang: str
    description: str


class SiteRenderer:
    def __init__(
        self,
        site_name: str,
        base_url: str,
        page_size: int = 10,
        api_path: str = "/api",
        *,
        lang: str = "en",
        description: str = "",
        feed_size: int = 20,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"base_url must be an absolute http(s) URL without query or fragment: {base_url!r}")
        if not api_path.startswith("/") or api_path.startswith("//") or not api_path.strip("/"):
            raise ValueError(f"api_path must be a root-relative path below / (same origin): {api_path!r}")
        if page_size < 1 or feed_size < 1:
            raise ValueError("page_size and feed_size must be at least 1")
        self.page_size = page_size
        self.feed_size = feed_size
        self.info = SiteInfo(
            name=site_name,
            base_url=base_url.rstrip("/"),
            api_path=api_path.rstrip("/"),
            lang=lang,
            description=description or f"The latest posts from {site_name}.",
        )

    def site(self, published_posts: Iterable[Mapping]) -> list[Page]:
        posts = self._published(published_posts)
        return [
            *assets().pages,
            *(self._post(post) for post in posts),
            *self._tags(posts),
            *self._home(posts),
            self._html("not_found.html.j2", "404.html", robots="noindex"),
            Page("feed.xml", self._feed(posts), ATOM, SHORT),
            Page("sitemap.xml", self._sitemap(posts), XML, SHORT),
            Page("robots.txt", render("robots.txt.j2", site=self.info), TEXT, SHORT),
        ]

    def preview(self, draft_post: Mapping) -> list[Page]:
        """The draft's page under `preview/`, with the assets it links to (immutable, so rewriting is a no-op).

        No canonical link, no Open Graph, no beacon (a preview is not a view), `noindex`, and `no-store`."""
        post = post_view(draft_post, self.info.base_url)
        body = render("post.html.j2", **self._context(robots="noindex"), post=post, preview=True)
        return [*assets().pages, Page(preview_key(post.slug), body, HTML, NO_STORE)]

    def _published(self, posts: Iterable[Mapping]) -> list[PostView]:
        views = sorted((post_view(post, self.info.base_url) for post in posts), key=lambda view: view.slug)
        slugs = set()
        for view in views:
            if view.draft:
                raise ValueError(f"post {view.slug} is not published: drafts render only through preview()")
            if view.slug in slugs:
                raise ValueError(f"post {view.slug} is given twice")
            slugs.add(view.slug)
        return sorted(views, key=lambda view: view.published.moment, reverse=True)  # type: ignore[union-attr]

    def _context(self, **page: object) -> dict[str, object]:
        context = {"site": self.info, "assets": assets().hrefs, "robots": None, "canonical": None}
        return context | page

    def _html(self, template: str, key: str, **page: object) -> Page:
        return Page(key, render(template, **self._context(**page)), HTML, SHORT)

    def _canonical(self, key: str) -> str:
        return self.info.base_url + url_path(key)

    def _post(self, post: PostView) -> Page:
        key = post_key(post.slug)
        return self._html("post.html.j2", key, canonical=self._canonical(key), post=post, preview=False)

    def _tags(self, posts: list[PostView]) -> list[Page]:
        return [
            self._html("tag.html.j2", key, canonical=self._canonical(key), tag=tag, posts=tagged)
            for tag, tagged in by_tag(posts)
            for key in [tag_key(tag.slug)]
        ]

    def _home(self, posts: list[PostView]) -> list[Page]:
        size = self.page_size
        total = max(1, -(-len(posts) // size))
        return [
            self._html(
                "home.html.j2",
                home_key(number),
                canonical=self._canonical(home_key(number)),
                posts=posts[(number - 1) * size : number * size],
                number=number,
                total=total,
                newer=url_path(home_key(number - 1)) if number > 1 else None,
                older=url_path(home_key(number + 1)) if number < total else None,
            )
            for number in range(1, total + 1)
        ]

    def _feed(self, posts: list[PostView]) -> bytes:
        entries = posts[: self.feed_size]
        updated = latest([post.updated for post in entries])
        return render("feed.xml.j2", site=self.info, posts=entries, updated=updated)

    def _sitemap(self, posts: list[PostView]) -> bytes:
        urls = [(self._canonical(home_key(1)), latest([post.updated for post in posts]))]
        urls += [(post.url, post.updated) for post in posts]
        tags = by_tag(posts)
        urls += [(self._canonical(tag_key(tag.slug)), latest([p.updated for p in tagged])) for tag, tagged in tags]
        return render("sitemap.xml.j2", urls=urls)


def by_tag(posts: list[PostView]) -> list[tuple[TagLink, list[PostView]]]:
    """Each tag with its posts (newest first), by slug; the newest post's spelling names the tag."""
    tags: dict[str, tuple[TagLink, list[PostView]]] = {}
    for post in posts:
        for tag in post.tags:
            tags.setdefault(tag.slug, (tag, []))[1].append(post)
    return [tags[slug] for slug in sorted(tags)]
