"""The outbox's rule: which BlogEvents message one change of the posts table is, if any.

The table is the source of truth and its stream the outbox: a write and its event can never disagree,
because the event is derived from the committed change. One change is one message:

| change                                   | message          |
|------------------------------------------|------------------|
| a new post (always a draft)              | PostUpdated      |
| draft → published                        | PostPublished    |
| published → draft                        | PostUnpublished  |
| any other change of the post's content   | PostUpdated      |
| the post removed                         | PostDeleted      |
| only the view counter changed            | none             |
|   (`views`, `viewsShard`, `viewsSeq`)    |                  |
"""

from __future__ import annotations

from typing import Any

from blog.dal.dynamo import plain

PUBLISHED = "published"
_NOT_CONTENT = frozenset({"views", "viewsShard", "viewsSeq"})  # what aggregate-views writes


def _content(image: dict) -> dict:
    return {key: value for key, value in image.items() if key not in _NOT_CONTENT}


def post_data(image: dict) -> dict:
    data: dict[str, Any] = {
        "slug": image["slug"],
        "title": image["title"],
        "excerpt": image.get("excerpt", ""),
        "tags": list(image.get("tags", [])),
        "cover": image.get("cover"),
        "status": image["status"],
        "updatedAt": image["updatedAt"],
        "version": int(image["version"]),
        "url": f"/posts/{image['slug']}",
    }
    if image.get("publishedAt"):
        data["publishedAt"] = image["publishedAt"]
    return plain(data)


def event_for(event_name: str, old: dict | None, new: dict | None) -> tuple[str, dict] | None:
    """(type, data) of the message for one stream record (`INSERT`, `MODIFY` or `REMOVE`), or None."""
    if event_name == "REMOVE":
        if not old:
            return None
        return "PostDeleted", {
            "slug": old["slug"],
            "wasPublished": old.get("status") == PUBLISHED,
            "version": int(old["version"]),
        }
    if not new:
        return None
    if event_name == "INSERT" or not old:
        return "PostUpdated", post_data(new)
    if _content(old) == _content(new):
        return None
    was, now = old.get("status") == PUBLISHED, new.get("status") == PUBLISHED
    if now and not was:
        return "PostPublished", post_data(new)
    if was and not now:
        return "PostUnpublished", post_data(new)
    return "PostUpdated", post_data(new)
