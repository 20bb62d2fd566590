"""Builds each use case once per process from the settings; tests replace them with `use_*`."""

from __future__ import annotations

import threading

from common.idempotency import IdempotentCreates
from common.pagination import CursorCodec
from common.tables import TableProvider

from blog.config import Settings
from blog.dal.dynamo import DynamoPostStore
from blog.logic.posts import PostService

COVER_INDEX = "CoverIndex"
_lock = threading.Lock()
_service: PostService | None = None
_builder = None


def store(settings: Settings, **table_factories) -> DynamoPostStore:
    return DynamoPostStore(TableProvider(settings.table_name, settings.dax_endpoint, **table_factories))


def covers(settings: Settings):
    """CoverService.resolve on the covers table (what media has processed), or None where there is none."""
    if not settings.covers_table:
        return None
    from blog.covers.dal import DynamoCoverStore
    from blog.covers.logic import CoverService

    tables = TableProvider(settings.table_name)
    return CoverService(DynamoCoverStore(tables, COVER_INDEX, TableProvider(settings.covers_table))).resolve


def service(settings: Settings) -> PostService:
    global _service
    if _service is None:
        with _lock:
            if _service is None:
                codec = CursorCodec(settings.cursor_key or settings.table_name)
                creates = None
                if settings.idempotency_table:
                    creates = IdempotentCreates(settings.idempotency_table, "blog.posts.create")
                _service = PostService(store(settings), codec, covers=covers(settings), creates=creates)
    return _service


def site_builder(settings: Settings):
    """The render use case (imports the renderer, so only render-site pays for Jinja2)."""
    global _builder
    if _builder is None:
        from blog.dal.site_bucket import Invalidator, SiteBucket
        from blog.logic.rendering import SiteBuilder
        from blog.site import SiteRenderer

        with _lock:
            if _builder is None:
                renderer = SiteRenderer(settings.site_name, settings.site_url, settings.page_size, "/api")
                bucket = SiteBucket(settings.site_bucket)
                _builder = SiteBuilder(store(settings), renderer, bucket, Invalidator(settings.distribution_id))
    return _builder


def use(replacement: PostService | None) -> None:
    global _service
    with _lock:
        _service = replacement


def use_builder(replacement) -> None:
    global _builder
    with _lock:
        _builder = replacement
