"""A post as the templates see it: checked, cleaned and shaped once, so the templates hold no logic.

This is the one place where the post's HTML is marked safe (`Markup`): the blog service renders Markdown
with markdown-it-py's `js-default` preset and sanitises it with nh3 before it reaches the renderer, and
Jinja2 autoescapes everything else (title, excerpt, tags, alt text, URLs). The feed escapes the body again
on purpose (Atom `type="html"` content is escaped HTML text).

Bad input fails loudly (`ValueError` naming the post): a slug that is not the API's shape would become a
bucket key, and a date that does not parse would make an invalid feed. Control characters are dropped from
every text, the body included: HTML5 forbids them and a single one makes the feed and sitemap ill-formed XML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup

from blog.site.urls import check_post_slug, post_key, tag_key, tag_slug, url_path

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_DESCRIPTION = 160  # characters: what search results show of a meta description
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FORMATS = {"webp": "image/webp", "jpeg": "image/jpeg"}
_FALLBACK = "jpeg"  # what <img> offers to browsers without WebP; WebP goes in a <source>
_SAFE_URL = re.compile(r"^(/(?!/)|https://)[^\s,]+$")  # same-origin or https, and nothing that breaks srcset


@dataclass(frozen=True)
class Stamp:
    """A moment as the pages print it: RFC 3339 in UTC for machines, a plain date for people."""

    iso: str
    human: str
    moment: datetime


@dataclass(frozen=True)
class TagLink:
    name: str
    slug: str
    href: str


@dataclass(frozen=True)
class Source:
    type: str
    srcset: str


@dataclass(frozen=True)
class Cover:
    """A `<picture>`: WebP sources, then an `<img>` in JPEG with the size that reserves its box."""

    alt: str
    sources: tuple[Source, ...]
    src: str
    srcset: str
    width: int
    height: int | None
    image: str  # an absolute URL, for og:image


@dataclass(frozen=True)
class PostView:
    slug: str
    title: str
    excerpt: str
    description: str
    body: Markup
    tags: tuple[TagLink, ...]
    cover: Cover | None
    published: Stamp | None
    updated: Stamp
    href: str
    url: str
    draft: bool


def clean(value: object) -> str:
    return _CONTROL.sub("", value) if isinstance(value, str) else ""


def stamp(value: object, what: str = "date") -> Stamp:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise ValueError(f"{what} is not an ISO-8601 date-time: {value!r}")
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    human = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    return Stamp(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), human, moment)


EPOCH = stamp(_EPOCH.isoformat())


def latest(stamps: Sequence[Stamp]) -> Stamp:
    """The newest of some moments; the epoch for none, so an empty site still has a fixed `updated`."""
    return max(stamps, key=lambda s: s.moment, default=EPOCH)


def describe(text: str) -> str:
    """At most 160 characters, cut at a word, for meta and Open Graph descriptions."""
    text = " ".join(text.split())
    if len(text) <= _DESCRIPTION:
        return text
    return text[: _DESCRIPTION - 1].rsplit(" ", 1)[0].rstrip(".,;:") + "…"


def tag_links(tags: object) -> tuple[TagLink, ...]:
    links: dict[str, TagLink] = {}
    for name in tags if isinstance(tags, (list, tuple)) else []:
        name = " ".join(clean(name).split())
        slug = tag_slug(name)
        if slug and slug not in links:
            links[slug] = TagLink(name, slug, url_path(tag_key(slug)))
    return tuple(links.values())


def cover_view(cover: object, base_url: str) -> Cover | None:
    if not isinstance(cover, Mapping):
        return None
    by_format: dict[str, list[Mapping]] = {}
    for rendition in cover.get("renditions") or []:
        if (
            isinstance(rendition, Mapping)
            and rendition.get("format") in _FORMATS
            and isinstance(rendition.get("url"), str)
            and _SAFE_URL.match(rendition["url"])
            and isinstance(rendition.get("width"), int)
            and rendition["width"] > 0
        ):
            by_format.setdefault(rendition["format"], []).append(rendition)
    if not by_format:
        return None
    fallback = _FALLBACK if _FALLBACK in by_format else "webp"
    ordered = {fmt: sorted(items, key=lambda r: (r["width"], r["url"])) for fmt, items in sorted(by_format.items())}
    img = ordered[fallback][-1]
    sources = tuple(Source(_FORMATS[fmt], _srcset(items)) for fmt, items in ordered.items() if fmt != fallback)
    image = img["url"] if img["url"].startswith("https://") else base_url + img["url"]
    return Cover(
        " ".join(clean(cover.get("alt")).split()),
        sources,
        img["url"],
        _srcset(ordered[fallback]),
        img["width"],
        _height(img, cover),
        image,
    )


def _srcset(renditions: list[Mapping]) -> str:
    return ", ".join(f"{r['url']} {r['width']}w" for r in renditions)


def _height(rendition: Mapping, cover: Mapping) -> int | None:
    """The rendition's own height (MediaProcessed carries it), else one from the original's aspect ratio."""
    height = rendition.get("height")
    if isinstance(height, int) and height > 0:
        return height
    width, original = cover.get("width"), cover.get("height")
    if isinstance(width, int) and isinstance(original, int) and width > 0 and original > 0:
        return max(1, round(rendition["width"] * original / width))
    return None


def post_view(post: Mapping, base_url: str) -> PostView:
    slug = check_post_slug(post.get("slug"))
    try:
        title = " ".join(clean(post.get("title")).split()) or slug
        excerpt = " ".join(clean(post.get("excerpt")).split())
        published = stamp(post["publishedAt"], "publishedAt") if post.get("publishedAt") else None
        updated = stamp(post.get("updatedAt") or post.get("publishedAt"), "updatedAt")
    except ValueError as error:
        raise ValueError(f"post {slug}: {error}") from None
    draft = post.get("status") != "published"
    if not draft and published is None:
        raise ValueError(f"post {slug}: published without publishedAt")
    if published and updated.moment < published.moment:
        updated = published  # a feed entry is never updated before it was published
    href = url_path(post_key(slug))
    return PostView(
        slug=slug,
        title=title,
        excerpt=excerpt,
        description=describe(excerpt or title),
        body=Markup(clean(post.get("html"))),  # noqa: S704 (sanitised upstream by nh3: the one place it is trusted)
        tags=tag_links(post.get("tags")),
        cover=cover_view(post.get("cover"), base_url),
        published=published,
        updated=updated,
        href=href,
        url=base_url + href,
        draft=draft,
    )
