"""S3 buckets for the data browser: objects by folder (a `/` delimiter), an object's metadata, its bytes."""

from __future__ import annotations

from typing import Any

PAGE = 200
_HEAD_FIELDS = (
    "ContentType",
    "ContentLength",
    "ETag",
    "LastModified",
    "CacheControl",
    "ContentEncoding",
    "ContentDisposition",
    "StorageClass",
    "VersionId",
    "ServerSideEncryption",
)


def listing(s3: Any, bucket: str, prefix: str, token: str | None) -> dict:
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "Delimiter": "/", "MaxKeys": PAGE}
    if token:
        params["ContinuationToken"] = token
    response = s3.list_objects_v2(**params)
    return {
        "bucket": bucket,
        "prefix": prefix,
        "folders": [p["Prefix"] for p in response.get("CommonPrefixes") or []],
        "objects": [
            {"key": o["Key"], "size": o["Size"], "last_modified": o["LastModified"], "etag": o.get("ETag")}
            for o in response.get("Contents") or []
        ],
        "next": response.get("NextContinuationToken"),
    }


def metadata(s3: Any, bucket: str, key: str) -> dict:
    head = s3.head_object(Bucket=bucket, Key=key)
    try:
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key).get("TagSet") or []}
    except Exception:  # tagging is optional information
        tags = {}
    return {
        "bucket": bucket,
        "key": key,
        **{field: head[field] for field in _HEAD_FIELDS if field in head},
        "Metadata": head.get("Metadata") or {},
        "Tags": tags,
    }


def content(s3: Any, bucket: str, key: str) -> tuple[bytes, str]:
    """The object's bytes and content type."""
    response = s3.get_object(Bucket=bucket, Key=key)
    return response["Body"].read(), str(response.get("ContentType") or "application/octet-stream")
