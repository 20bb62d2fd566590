"""Rendering the site after posts change: the public site from the table's current published posts,
and each changed post's preview.

The renderer works from the current state, never from the event's copy of a post, so messages that
arrive late, twice or out of order give the same site: a batch renders once, however many posts it names.
A draft has a preview at `preview/<slug>/`; a published or deleted post has none. Previews are never
cached by the CDN (its `/preview/*` behaviour has caching disabled), so only public keys are invalidated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from blog.dal.site_bucket import Invalidator, SiteBucket
from blog.dal.store import PostStore
from blog.site import SiteRenderer
from blog.site.urls import preview_key

PREVIEW_PREFIX = "preview/"


@dataclass(frozen=True)
class Rendered:
    changed: list[str]  # keys written or deleted, public and preview
    invalidated: list[str]  # CDN paths


class SiteBuilder:
    def __init__(self, store: PostStore, renderer: SiteRenderer, bucket: SiteBucket, invalidator: Invalidator):
        self.store = store
        self.renderer = renderer
        self.bucket = bucket
        self.invalidator = invalidator

    def render(self, slugs: Iterable[str]) -> Rendered:
        public = self.bucket.sync(
            self.renderer.site(self.store.all_published()), keep=lambda key: key.startswith(PREVIEW_PREFIX)
        )
        previews = [key for slug in sorted(set(slugs)) if (key := self._preview(slug))]
        return Rendered(changed=public + previews, invalidated=self.invalidator.invalidate(public))

    def _preview(self, slug: str) -> str | None:
        post = self.store.get(slug)
        key = preview_key(slug)
        if post is None or post.get("status") == "published":
            return key if self.bucket.delete(key) else None
        pages = self.renderer.preview(post)
        changed = [page.path for page in pages if self.bucket.put_if_changed(page)]
        return key if key in changed else None
