"""The blog's public API, GET /posts/{slug}: a post's title and excerpt (never the blog's table)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TIMEOUT = 5


class BlogPosts:
    def __init__(self, api_url: Callable[[], str], opener: Any = None):
        self.api_url = api_url  # read when needed: the blog's SSM parameter, cached (dal.blog_urls)
        self._open = opener or urllib.request.urlopen

    def get(self, slug: str) -> dict | None:
        """The published post, or None when the blog has no such published post (404); other errors raise."""
        if not SLUG.fullmatch(slug) or len(slug) > 200:
            return None
        url = f"{self.api_url().rstrip('/')}/posts/{slug}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with self._open(request, timeout=TIMEOUT) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise
