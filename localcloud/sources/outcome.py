"""Reading a function's answer to a batch: which records failed, as Lambda decides it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from localcloud.model import InvokeResult

ALL_FAILED = None


def failed_items(result: InvokeResult, ids: Collection[str], report_failures: bool) -> set[str] | None:
    """The ids to retry: an empty set when the batch succeeded, `ALL_FAILED` (None) for the whole batch.

    With ReportBatchItemFailures, `{"batchItemFailures": [{"itemIdentifier": id}]}` names the failures;
    no response, an empty object or an empty/null list is a full success; anything malformed or an
    identifier that is not in the batch fails the whole batch (as Lambda does).
    """
    if result.error is not None:
        return ALL_FAILED
    if not report_failures:
        return set()
    return parse_batch_item_failures(result.payload, ids)


def parse_batch_item_failures(payload: Any, ids: Collection[str]) -> set[str] | None:
    if payload is None:
        return set()
    if not isinstance(payload, dict):
        return ALL_FAILED
    failures = payload.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return ALL_FAILED
    failed = set()
    known = set(ids)
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return ALL_FAILED
        failed.add(identifier)
    return failed


def error_summary(result: InvokeResult) -> dict | None:
    if result.error is None:
        return None
    return {"errorType": result.error.get("errorType"), "errorMessage": result.error.get("errorMessage")}
