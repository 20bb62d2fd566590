"""The user's own S3 folder, `private/<identity id>/` in the todos files bucket, reached directly.

No API sits in between: the identity pool's authenticated role lets a user read, write and list their own
prefix only (`${cognito-identity.amazonaws.com:sub}` is the identity id). Credentials are fetched on first
use and again a minute before they expire.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platform_client.auth import REFRESH_MARGIN, CognitoAuth


@dataclass(frozen=True)
class StoredFile:
    name: str  # the key below the user's prefix
    key: str
    size: int
    modified: datetime


class FilesClient:
    def __init__(self, auth: CognitoAuth, *, clock: Callable[[], float] = time.time):
        auth.endpoints.require("files_bucket")
        self.auth = auth
        self.bucket = auth.endpoints.files_bucket
        self._clock = clock
        self._s3: Any = None
        self._identity_id = ""
        self._expires = 0.0

    def _client(self) -> Any:
        if self._s3 is None or self._expires - REFRESH_MARGIN <= self._clock():
            import boto3

            self._identity_id, creds = self.auth.identity_credentials()
            endpoints = self.auth.endpoints
            self._s3 = boto3.client("s3", region_name=endpoints.region, endpoint_url=endpoints.aws_endpoint,
                                    aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretKey"],
                                    aws_session_token=creds["SessionToken"])  # fmt: skip
            expiration = creds.get("Expiration")
            self._expires = expiration.timestamp() if isinstance(expiration, datetime) else self._clock() + 900
        return self._s3

    @property
    def prefix(self) -> str:
        self._client()
        return f"private/{self._identity_id}/"

    def put(self, path: str | Path, name: str | None = None) -> str:
        """Upload a local file as `name` (default: its file name); returns the object key."""
        path = Path(path)
        s3 = self._client()
        key = self.prefix + (name or path.name).lstrip("/")
        with path.open("rb") as body:
            s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        return key

    def get(self, name: str) -> bytes:
        s3 = self._client()
        return s3.get_object(Bucket=self.bucket, Key=self.prefix + name)["Body"].read()

    def list(self) -> list[StoredFile]:
        s3 = self._client()
        prefix = self.prefix
        found: list[StoredFile] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                found.append(StoredFile(obj["Key"][len(prefix) :], obj["Key"], obj["Size"], obj["LastModified"]))
        return found
