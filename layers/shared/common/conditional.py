"""Conditional DynamoDB writes, storage-shaped: the errors a store raises when its write condition fails,
and how to tell "the item is gone" from "the item moved on" after a failed condition.

A store conditions its updates and deletes on `attribute_exists(key)` and, when the caller sent one, on
the version it expects, and asks for the old item on failure (ReturnValuesOnConditionCheckFailure):
an old item with a version means stale (412), none means missing (404). DAX does not return the old
item, so a store then reads the item once, consistently, to decide. Shared because every service with
If-Match uses the same rule; the use cases translate these to API errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONDITION_FAILED = "ConditionalCheckFailedException"


class StoreError(Exception):
    pass


class ItemMissing(StoreError):
    """No such item (never created, deleted, or not the caller's)."""


class VersionMismatch(StoreError):
    """The item exists but its version is not the one the write was conditioned on."""

    def __init__(self, current_version: int):
        super().__init__(f"current version is {current_version}")
        self.current_version = current_version


def client_error() -> type[Exception]:
    """botocore's ClientError, imported on the first failed call (boto3 or DAX has loaded botocore by then,
    and importing its exceptions at cold start costs 3 ms). An `except` clause evaluates its class only
    when an exception reaches it, so `except client_error()` costs nothing on success."""
    from botocore.exceptions import ClientError

    return ClientError


def error_code(exc: Exception) -> str | None:
    return (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")


def old_version(old: Any) -> int | None:
    """The version in a failed write's old item, in wire form (`{"N": "3"}`) or already decoded."""
    value = old.get("version") if isinstance(old, dict) else None
    if isinstance(value, dict):
        value = value.get("N")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def raise_condition_failure(
    exc: Exception, key: str, expected_version: int | None, current_version: Callable[[], int | None]
) -> None:
    """Re-raise a failed write condition as ItemMissing or VersionMismatch; any other error unchanged.

    `current_version` reads the item consistently (None when it is gone), for clients that return no old item."""
    if error_code(exc) != CONDITION_FAILED:
        raise exc
    found = old_version(getattr(exc, "response", {}).get("Item"))
    if found is not None:
        raise VersionMismatch(found) from None
    if expected_version is None:
        raise ItemMissing(key) from None
    current = current_version()
    if current is None:
        raise ItemMissing(key) from None
    raise VersionMismatch(current) from None
