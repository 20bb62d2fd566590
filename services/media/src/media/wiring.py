"""Builds the use cases once per process from the settings; tests replace them with `use_*(...)`.

`process_upload` is `ThumbnailService.process` behind Powertools idempotency (a DynamoDB record per
bucket, key and ETag, kept a week): a redelivered notification, or the same object notified twice,
returns the first outcome without writing or publishing again; a failure deletes the record, so the
retry runs for real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from media.config import Settings
from media.dal.s3 import S3MediaStore
from media.logic.thumbnails import ThumbnailService
from media.logic.uploads import UploadService

IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600
SOURCE = "media"

_lock = threading.Lock()
_uploads: UploadService | None = None
_processor: Callable[..., dict] | None = None
_idempotency_config: Any = None


def build_uploads(settings: Settings, store: Any = None) -> UploadService:
    return UploadService(store or S3MediaStore(settings.bucket), ttl_seconds=settings.upload_ttl_seconds)


def idempotent(process: Callable[..., dict], table: str, client: Any = None) -> tuple[Callable[..., dict], Any]:
    """`process(upload=...)` run at most once per (bucket, key, etag); returns it and its config."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(
        event_key_jmespath="[bucket, key, etag]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    )
    layer = DynamoDBPersistenceLayer(table_name=table, boto3_client=client)
    wrapped = idempotent_function(data_keyword_argument="upload", persistence_store=layer, config=config)(process)
    return wrapped, config


def build_processor(settings: Settings, logger: Any = None) -> tuple[Callable[..., dict], Any]:
    from common.envelope import Publisher

    if not settings.topic_arn or not settings.idempotency_table:
        from common.settings import ConfigError

        raise ConfigError("invalid configuration: make-thumbnails needs EVENTS_TOPIC_ARN and IDEMPOTENCY_TABLE")
    service = ThumbnailService(
        S3MediaStore(settings.bucket), Publisher(source=SOURCE, topic_arn=settings.topic_arn), logger
    )
    return idempotent(service.process, settings.idempotency_table)


def uploads(settings: Settings) -> UploadService:
    global _uploads
    if _uploads is None:
        with _lock:
            if _uploads is None:
                _uploads = build_uploads(settings)
    return _uploads


def processor(settings: Settings, logger: Any = None, context: Any = None) -> Callable[..., dict]:
    global _processor, _idempotency_config
    if _processor is None:
        with _lock:
            if _processor is None:
                _processor, _idempotency_config = build_processor(settings, logger)
    if context is not None and _idempotency_config is not None:
        _idempotency_config.register_lambda_context(context)
    return _processor


def use_uploads(replacement: UploadService | None) -> None:
    global _uploads
    with _lock:
        _uploads = replacement


def use_processor(replacement: Callable[..., dict] | None) -> None:
    """Install `process(upload=...)` (or None to build the real one from the settings on next use)."""
    global _processor, _idempotency_config
    with _lock:
        _processor, _idempotency_config = replacement, None
