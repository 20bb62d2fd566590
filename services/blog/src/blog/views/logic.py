"""The view tally: records of one shard's batch in, one increment per post out, and the poison rule.

A view is `{"slug": <post slug>, "time": <epoch ms>, "ua"?: <user agent>}` (what the API's mapping
template writes). A record that is not one (not JSON, a bad slug, no time) is poison: retrying never
helps, so it must end alone in the on-failure destination without stalling the shard or counting any
view twice. Counts are applied only for the records before the first poison:

- poison first in a batch of several: nothing is applied and the batch fails, so Lambda bisects it
  (BisectBatchOnFunctionError) until the poison is alone;
- poison alone: it is the one failed item; after the bounded retries Lambda sends its description to the
  on-failure destination and moves on;
- poison later: the records before it are applied and it is reported as the first failed item, so Lambda
  resumes from it and never redelivers what was counted.

Each increment carries the range of sequence numbers it covers; the store applies it only if the post's
mark is older, so a retried batch (after a DynamoDB error part-way through) never counts twice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_SLUG = 200
SEQUENCE_WIDTH = 128  # Kinesis sequence numbers are up to 129 digits; padded they compare as strings


class PoisonRecord(ValueError):
    """A record that can never be counted."""


class PoisonFirst(RuntimeError):
    """The batch starts with a poison record among others: fail it whole so that Lambda bisects it."""


@dataclass(frozen=True)
class Record:
    shard: str
    sequence: str
    data: bytes


@dataclass(frozen=True)
class Increment:
    """`count` views of `slug`, from the records first..last (padded sequence numbers) of `shard`."""

    slug: str
    count: int
    shard: str
    first: str
    last: str


class Outcome:
    APPLIED = "applied"
    UNKNOWN_POST = "unknown"  # no such post: no item is created
    ALREADY_COUNTED = "duplicate"  # a retried batch


class CounterStore(Protocol):
    def add_views(self, increment: Increment) -> str:
        """Apply atomically unless the post is missing or already has this range; returns an Outcome."""
        ...


def parse_view(data: bytes) -> str:
    """The slug of a view record; raises PoisonRecord for anything else."""
    try:
        view = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise PoisonRecord("not JSON") from None
    if not isinstance(view, dict):
        raise PoisonRecord("not a JSON object")
    slug = view.get("slug")
    if not isinstance(slug, str) or len(slug) > MAX_SLUG or not SLUG.fullmatch(slug):
        raise PoisonRecord("no valid slug")
    if not isinstance(view.get("time"), int) or isinstance(view.get("time"), bool):
        raise PoisonRecord("no time")
    return slug


def padded(sequence: str) -> str:
    return sequence.zfill(SEQUENCE_WIDTH)


@dataclass(frozen=True)
class Tally:
    increments: list[Increment]
    poison: Record | None  # the first poison record: the batch resumes from it
    reason: str = ""


def tally(records: Iterable[Record]) -> Tally:
    """One increment per slug for the records before the first poison (raises PoisonFirst, see above)."""
    records = list(records)
    found: dict[str, list[Record]] = {}
    for index, record in enumerate(records):
        try:
            slug = parse_view(record.data)
        except PoisonRecord as exc:
            if index == 0 and len(records) > 1:
                raise PoisonFirst(f"record {record.sequence} is poison ({exc}); bisecting") from None
            return Tally(_increments(found), record, str(exc))
        found.setdefault(slug, []).append(record)
    return Tally(_increments(found), None)


def _increments(found: dict[str, list[Record]]) -> list[Increment]:
    return [
        Increment(slug, len(rs), rs[0].shard, padded(rs[0].sequence), padded(rs[-1].sequence))
        for slug, rs in found.items()
    ]


def apply(tallied: Tally, store: CounterStore) -> dict[str, int]:
    """Apply every increment; returns how many views each outcome took (for the logs)."""
    summary = {Outcome.APPLIED: 0, Outcome.UNKNOWN_POST: 0, Outcome.ALREADY_COUNTED: 0}
    for increment in tallied.increments:
        summary[store.add_views(increment)] += increment.count
    return summary
