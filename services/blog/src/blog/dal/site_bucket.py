"""The site bucket and the distribution in front of it: the only code that writes pages or invalidates.

`SiteBucket.sync` makes one prefix of the bucket hold exactly the given pages: it writes them in the order
given (assets first, so no page links to a stylesheet that is not there yet), skips each one whose MD5
equals the stored object's ETag (single-part uploads with SSE-S3, where the ETag is the MD5 of the bytes),
and then deletes the keys of the prefix that are no longer in the set. It returns the keys it wrote or
deleted: exactly what a CDN may hold stale copies of.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from blog.site import Page

MAX_PATHS_PER_INVALIDATION = 1000


def _client(service: str) -> Any:
    import boto3

    return boto3.client(service)


class SiteBucket:
    def __init__(self, bucket: str, *, client_factory: Callable[[str], Any] = _client):
        self.bucket = bucket
        self._factory = client_factory
        self._s3: Any = None

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            self._s3 = self._factory("s3")
        return self._s3

    def etags(self, prefix: str = "") -> dict[str, str]:
        found: dict[str, str] = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                found[obj["Key"]] = obj["ETag"].strip('"')
        return found

    def sync(self, pages: Iterable[Page], *, keep: Callable[[str], bool] = lambda key: False) -> list[str]:
        """Write `pages`, delete every other key unless `keep(key)`; the changed keys, in order."""
        stored = self.etags()
        changed: list[str] = []
        wanted: set[str] = set()
        for page in pages:
            wanted.add(page.path)
            if stored.get(page.path) == hashlib.md5(page.body, usedforsecurity=False).hexdigest():
                continue
            self.put(page)
            changed.append(page.path)
        stale = sorted(key for key in stored if key not in wanted and not keep(key))
        for start in range(0, len(stale), 1000):
            chunk = stale[start : start + 1000]
            self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
            )
        return changed + stale

    def put(self, page: Page) -> None:
        self.s3.put_object(
            Bucket=self.bucket,
            Key=page.path,
            Body=page.body,
            ContentType=page.content_type,
            CacheControl=page.cache_control,
        )

    def put_if_changed(self, page: Page) -> bool:
        try:
            current = self.s3.head_object(Bucket=self.bucket, Key=page.path)["ETag"].strip('"')
        except self.s3.exceptions.ClientError:
            current = None
        if current == hashlib.md5(page.body, usedforsecurity=False).hexdigest():
            return False
        self.put(page)
        return True

    def delete(self, key: str) -> bool:
        """Delete one key; whether it was there."""
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.ClientError:
            return False
        self.s3.delete_object(Bucket=self.bucket, Key=key)
        return True


def invalidation_path(key: str) -> str:
    """What the CDN caches a key under: the viewer-request function maps every pretty URL to its key, so
    the cache holds `/` + key (percent-encoded, as CloudFront matches invalidation paths)."""
    return "/" + quote(key, safe="/")


class Invalidator:
    def __init__(self, distribution_id: str | None, *, client_factory: Callable[[str], Any] = _client):
        self.distribution_id = distribution_id
        self._factory = client_factory
        self._client: Any = None

    def invalidate(self, keys: Iterable[str]) -> list[str]:
        """One invalidation per 1 000 paths; the paths it invalidated ([] without a distribution)."""
        paths = sorted({invalidation_path(key) for key in keys})
        if not paths or not self.distribution_id:
            return []
        if self._client is None:
            self._client = self._factory("cloudfront")
        for start in range(0, len(paths), MAX_PATHS_PER_INVALIDATION):
            chunk = paths[start : start + MAX_PATHS_PER_INVALIDATION]
            reference = hashlib.sha256("\n".join(chunk).encode()).hexdigest()[:16] + f"-{time.time_ns()}"
            self._client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={"Paths": {"Quantity": len(chunk), "Items": chunk}, "CallerReference": reference},
            )
        return paths
