"""boto3 clients, created lazily once per process (boto3 stays off the cold path until first used)."""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_clients: dict[str, Any] = {}

# SES and SQS throttling and transient errors are retried with exponential backoff and jitter before a
# record fails; a record that still fails is retried by its event source, never dropped.
_RETRIES = {"mode": "standard", "max_attempts": 8}


def client(service: str) -> Any:
    if service not in _clients:
        with _lock:
            if service not in _clients:
                import boto3
                from botocore.config import Config

                _clients[service] = boto3.client(service, config=Config(retries=_RETRIES))
    return _clients[service]


def secret_key(secret_id: str) -> bytes:
    """The token key, from Secrets Manager (the template generates it once)."""
    return client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"].encode()
