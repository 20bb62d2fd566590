"""The two shapes every builder shares: the call it sees and the change it reports (leaf module)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One successful change: `params` are the request's (or the feed's) fields, `result` its answer."""

    service: str
    action: str
    account: str
    region: str
    params: dict[str, Any] = field(default_factory=dict)
    result: Any = None


@dataclass(frozen=True)
class Change:
    """One event's own fields; the emitter adds the envelope (version, id, account, time, region)."""

    source: str
    detail_type: str
    resources: list[str]
    detail: dict[str, Any]


Builder = Callable[[Call], list[Change]]
