"""The MyBlog posts API (services/blog/openapi.yaml): public reads, and writes for the `admins` group."""

from __future__ import annotations

from typing import Any, cast

from platform_client import operations as ops
from platform_client.models import AdminPost, CreatePost, Post, PostPage
from platform_client.transport import TokenSource, Transport


class BlogClient:
    """Anyone can read; `token` (an admin's ID token source) is needed for writes only."""

    def __init__(self, base_url: str, token: TokenSource | None = None, **transport: Any):
        self.transport = Transport(base_url, token=token, **transport)

    def list_posts(self, *, tag: str | None = None, limit: int | None = None, cursor: str | None = None) -> PostPage:
        reply = self.transport.call(ops.LIST_POSTS, query={"tag": tag, "limit": limit, "cursor": cursor})
        return cast(PostPage, reply.body)

    def get_post(self, slug: str) -> Post:
        return cast(Post, self.transport.call(ops.GET_POST, path={"slug": slug}).body)

    def create_post(self, post: CreatePost, *, idempotency_key: str | None = None) -> AdminPost:
        """Create a draft (admins). Retries reuse one Idempotency-Key, as for todos."""
        return cast(AdminPost, self.transport.call(ops.CREATE_POST, body=post, idempotency_key=idempotency_key).body)

    def publish_post(self, slug: str, *, if_version: int | None = None) -> AdminPost:
        headers = {"If-Match": f'"{if_version}"'} if if_version is not None else {}
        return cast(AdminPost, self.transport.call(ops.PUBLISH_POST, path={"slug": slug}, headers=headers).body)
