"""The media bucket on S3. The client is made on first use, once per process."""

from __future__ import annotations

from typing import Any

from media.dal.store import RENDITION_CACHE_CONTROL, ObjectInfo, ObjectMissing, PresignedPost


def _missing(error: Exception) -> bool:
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    return code in ("404", "NoSuchKey", "NotFound")


class S3MediaStore:
    def __init__(self, bucket: str, client: Any = None):
        self.bucket = bucket
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            # SigV4 everywhere (presigned POSTs included) and the regional endpoint, as browsers need
            self._client = boto3.client("s3", config=Config(signature_version="s3v4"))
        return self._client

    def presign_post(self, key: str, *, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        post = self.client.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        return PresignedPost(post["url"], dict(post["fields"]))

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        try:
            found = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return ObjectInfo(found["ContentLength"], found.get("ContentType", ""), found.get("ETag", "").strip('"'))

    def read(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as error:
            if _missing(error):
                raise ObjectMissing(key) from None
            raise

    def put_rendition(self, key: str, body: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, CacheControl=RENDITION_CACHE_CONTROL
        )

    def move(self, key: str, destination: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.copy_object(Bucket=self.bucket, Key=destination, CopySource={"Bucket": self.bucket, "Key": key})
        except ClientError as error:
            if _missing(error):
                raise ObjectMissing(key) from None
            raise
        self.client.delete_object(Bucket=self.bucket, Key=key)
