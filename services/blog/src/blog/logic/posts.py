"""The posts use cases: public reads of published posts, and the admins' writes.

A draft is invisible to the public API (404, like an unknown slug). Writes bump `version` and honour
`If-Match`; publishing a published post, or unpublishing a draft, changes nothing (no new version, so the
stream carries no change and no event is sent).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from common.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed
from common.idempotency import IdempotentCreates, run_once
from common.pagination import CursorCodec
from common.validation import SchemaValidator

from blog import markdown, schemas, slugs
from blog.dal.store import ItemMissing, PostStore, SlugTaken, VersionMismatch
from blog.site.urls import tag_slug

_validate_create = SchemaValidator(schemas.CREATE_POST)
_validate_replace = SchemaValidator(schemas.REPLACE_POST)
_validate_patch = SchemaValidator(schemas.PATCH_POST)
ADMIN_GROUP = "admins"
PUBLISHED, DRAFT = "published", "draft"


def iso_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> datetime:
    return datetime.now(UTC)


def groups_of(claims: dict) -> set[str]:
    """`cognito:groups` as REST API claims carry it ("admins,users"), as an HTTP API does ("[admins users]"),
    or as a list (a decoded token)."""
    raw = claims.get("cognito:groups")
    if isinstance(raw, list):
        return {str(group) for group in raw}
    if not isinstance(raw, str):
        return set()
    return set(raw.strip("[]").replace(",", " ").split())


def require_admin(claims: dict) -> None:
    if ADMIN_GROUP not in groups_of(claims):
        raise Forbidden("only admins may change posts", code="NotAnAdmin")


def summary(item: dict) -> dict:
    return {
        "slug": item["slug"],
        "title": item["title"],
        "excerpt": item.get("excerpt", ""),
        "tags": item.get("tags", []),
        "cover": item.get("cover"),
        "publishedAt": item.get("publishedAt"),
    }


def public_post(item: dict) -> dict:
    return {
        **summary(item),
        "html": item.get("html", ""),
        "updatedAt": item["updatedAt"],
        "views": int(item.get("views", 0)),
    }


def admin_post(item: dict) -> dict:
    """What the admin API answers: the whole post, Markdown source and status included."""
    return {
        **public_post(item),
        "body": item.get("body", ""),
        "status": item["status"],
        "createdAt": item["createdAt"],
        "version": int(item["version"]),
    }


COVER_FIELDS = ("cover", "coverId")


def _content(body: dict, resolve_cover: Callable[[dict], dict] | None = None) -> dict:
    """The stored fields a request's content determines (html and the excerpt follow from the Markdown;
    a cover `{id, alt?}` also sets `coverId`, the CoverIndex key, and gets the upload's renditions when
    media has processed it already)."""
    fields: dict = {}
    if "title" in body:
        fields["title"] = " ".join(body["title"].split())
    if "body" in body:
        fields["body"] = body["body"]
        fields["html"] = markdown.to_html(body["body"])
    if "tags" in body:
        tags = list(dict.fromkeys(" ".join(tag.split()) for tag in body["tags"]))
        fields["tags"] = tags
        fields["tagSlugs"] = sorted({tag_slug(tag) for tag in tags} - {""})
    if body.get("cover"):
        cover = {key: body["cover"][key] for key in ("id", "alt") if key in body["cover"]}
        fields["cover"] = resolve_cover(cover) if resolve_cover else cover
        fields["coverId"] = cover["id"]
    if "excerpt" in body:
        fields["excerpt"] = " ".join(body["excerpt"].split())
    return fields


def _not_found(slug: str) -> NotFound:
    return NotFound(f"post {slug} not found", code="PostNotFound")


class PostService:
    def __init__(
        self,
        store: PostStore,
        cursors: CursorCodec,
        *,
        clock: Callable[[], datetime] = utc_now,
        covers: Callable[[dict], dict] | None = None,
        creates: IdempotentCreates | None = None,
    ):
        """`covers` is CoverService.resolve: a cover as set → the cover with what media knows of it;
        `creates` runs a create that carries an Idempotency-Key once per (admin, key)."""
        self.creates = creates
        self.store = store
        self.cursors = cursors
        self.clock = clock
        self.covers = covers

    # public -------------------------------------------------------------------------------------
    def list(self, *, limit: int = schemas.LIMIT_DEFAULT, cursor: str | None = None, tag: str | None = None) -> dict:
        if not schemas.LIMIT_MIN <= limit <= schemas.LIMIT_MAX:
            raise BadRequest(f"limit must be between {schemas.LIMIT_MIN} and {schemas.LIMIT_MAX}", code="InvalidLimit")
        wanted_tag = None
        if tag is not None:
            wanted_tag = tag_slug(tag)
            if not wanted_tag:
                raise BadRequest("tag must hold a letter or a digit", code="InvalidTag")
        scope = f"blog:posts:tag={wanted_tag or ''}"
        after = None
        if cursor is not None:
            after = self.cursors.decode(cursor, scope)
            if set(after) != {"slug", "status", "publishedAt"} or not all(isinstance(v, str) for v in after.values()):
                raise BadRequest("cursor is invalid", code="InvalidCursor")
        page = self.store.published(limit=limit, after=after, tag_slug=wanted_tag)
        next_cursor = self.cursors.encode(page.last_key, scope) if page.last_key else None
        return {"items": [summary(item) for item in page.items], "nextCursor": next_cursor}

    def popular(self) -> dict:
        items = self.store.popular(limit=schemas.POPULAR_SIZE)
        return {"items": [{**summary(item), "views": int(item.get("views", 0))} for item in items]}

    def get_published(self, slug: str) -> dict:
        item = self.store.get(slug) if slugs.is_slug(slug) else None
        if item is None or item.get("status") != PUBLISHED:
            raise _not_found(slug)
        return public_post(item)

    # admin --------------------------------------------------------------------------------------
    def get(self, slug: str) -> dict:
        item = self.store.get(slug) if slugs.is_slug(slug) else None
        if item is None:
            raise _not_found(slug)
        return admin_post(item)

    def create(
        self, body: object, *, admin: str = "", idempotency_key: str | None = None, lambda_context: Any = None
    ) -> dict:
        """A new draft; with a key, the same admin's retry with the same body gets the first answer again."""
        _validate_create(body)
        return run_once(self.creates, admin, idempotency_key, body, lambda: self._insert(body), lambda_context)

    def _insert(self, body: dict) -> dict:
        slug = body.get("slug") or slugs.slug_from_title(body["title"])
        if not slug:
            raise BadRequest("the title has no letter or digit to make a slug from; give a slug", code="InvalidSlug")
        stamp = iso_millis(self.clock())
        fields = _content({"tags": [], **body}, self.covers)
        item = {
            "slug": slug,
            **fields,
            "excerpt": fields.get("excerpt") or markdown.excerpt_of(fields["html"]),
            "status": DRAFT,
            "createdAt": stamp,
            "updatedAt": stamp,
            "version": 1,
            "views": 0,
        }
        try:
            self.store.insert(item)
        except SlugTaken:
            raise Conflict(f"a post with slug {slug} exists already", code="SlugTaken") from None
        return admin_post(item)

    def replace(self, slug: str, body: object, expected_version: int | None) -> dict:
        _validate_replace(body)
        fields = _content({"tags": [], "excerpt": "", **body}, self.covers)
        fields["excerpt"] = fields["excerpt"] or markdown.excerpt_of(fields["html"])
        remove = () if body.get("cover") else COVER_FIELDS
        return self._update(slug, fields, remove, expected_version)

    def patch(self, slug: str, body: object, expected_version: int | None) -> dict:
        _validate_patch(body)
        fields = _content(body, self.covers)
        if "excerpt" in fields and not fields["excerpt"]:
            current = self.get(slug)
            fields["excerpt"] = markdown.excerpt_of(fields.get("html", current["html"]))
        remove = COVER_FIELDS if "cover" in body and body["cover"] is None else ()
        return self._update(slug, fields, remove, expected_version)

    def publish(self, slug: str, expected_version: int | None) -> dict:
        current = self.get(slug)
        if current["status"] == PUBLISHED:
            self._check_version(slug, current, expected_version)
            return current
        fields = {"status": PUBLISHED, "publishedAt": iso_millis(self.clock())}
        return self._update(slug, fields, (), expected_version or current["version"])

    def unpublish(self, slug: str, expected_version: int | None) -> dict:
        current = self.get(slug)
        if current["status"] == DRAFT:
            self._check_version(slug, current, expected_version)
            return current
        return self._update(slug, {"status": DRAFT}, ("publishedAt",), expected_version or current["version"])

    def delete(self, slug: str, expected_version: int | None) -> None:
        if not slugs.is_slug(slug):
            raise _not_found(slug)
        try:
            self.store.delete(slug, expected_version=expected_version)
        except ItemMissing:
            raise _not_found(slug) from None
        except VersionMismatch as mismatch:
            raise self._stale(slug, expected_version, mismatch.current_version) from None

    @staticmethod
    def _stale(slug: str, expected: int | None, current: int) -> PreconditionFailed:
        return PreconditionFailed(f"post {slug} is at version {current}, not {expected}", code="VersionMismatch")

    def _check_version(self, slug: str, current: dict, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != current["version"]:
            raise self._stale(slug, expected_version, current["version"])

    def _update(self, slug: str, fields: dict, remove: tuple[str, ...], expected_version: int | None) -> dict:
        if not slugs.is_slug(slug):
            raise _not_found(slug)
        try:
            item = self.store.update(
                slug,
                set_fields={**fields, "updatedAt": iso_millis(self.clock())},
                remove_fields=remove,
                expected_version=expected_version,
            )
        except ItemMissing:
            raise _not_found(slug) from None
        except VersionMismatch as mismatch:
            raise self._stale(slug, expected_version, mismatch.current_version) from None
        return admin_post(item)
