"""Request collapsing: concurrent misses for one cache key make one origin fetch.

The first miss leads: it fetches from the origin. Later misses for the same key follow: they wait for
the leader's outcome, as nginx's `proxy_cache_lock` makes them wait, and then:

- **cacheable response:** the followers stream the body from the fill as it is written (nginx waits
  for the whole body; streaming gives the same single origin fetch without making a large download
  wait for its own end);
- **response that may not be cached** (e.g. `no-store`, or an uncacheable status): every follower goes
  to the origin itself, uncollapsed, since its answer could differ;
- **leader failed** (connection refused, timeout, broken headers): the key is free again; the first
  follower to retry leads the next fetch and the others follow it, as nginx hands the lock on;
- **the leader takes longer than `lock_timeout` (5 s, nginx's `proxy_cache_lock_timeout` default)
  to get the origin's headers:** the follower goes to the origin itself and its response is not
  cached, as nginx does.

Behaviours whose caching is disabled never collapse: the pipeline does not ask.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PENDING, STREAMING, UNCACHEABLE, FAILED = "pending", "streaming", "uncacheable", "failed"
TIMEOUT = "timeout"
LOCK_TIMEOUT = 5.0


@dataclass
class Flight:
    key: str
    state: str = PENDING
    fill: Any = None  # the store's Fill once STREAMING
    followers: int = 0
    cond: threading.Condition = field(default_factory=threading.Condition)


class Collapser:
    def __init__(self, lock_timeout: float = LOCK_TIMEOUT, monotonic: Callable[[], float] = time.monotonic):
        self.lock_timeout = lock_timeout
        self.monotonic = monotonic
        self.collapsed = 0  # requests served by another request's origin fetch
        self._flights: dict[str, Flight] = {}
        self._lock = threading.Lock()

    def enter(self, key: str) -> tuple[bool, Flight]:
        """(True, flight) when the caller leads the fetch for `key`; (False, flight) to follow one."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is None:
                flight = self._flights[key] = Flight(key)
                return True, flight
            flight.followers += 1
            return False, flight

    def wait(self, flight: Flight) -> str:
        """A follower's outcome: STREAMING (read `flight.fill`), UNCACHEABLE, FAILED or TIMEOUT."""
        deadline = self.monotonic() + self.lock_timeout
        with flight.cond:
            while flight.state == PENDING:
                remaining = deadline - self.monotonic()
                if remaining <= 0:
                    return TIMEOUT
                flight.cond.wait(remaining)
            if flight.state == STREAMING:
                with self._lock:
                    self.collapsed += 1
            return flight.state

    # the leader's outcomes -----------------------------------------------------------------------

    def streaming(self, flight: Flight, fill: Any) -> None:
        self._settle(flight, STREAMING, fill)

    def uncacheable(self, flight: Flight) -> None:
        self._settle(flight, UNCACHEABLE)

    def failed(self, flight: Flight) -> None:
        self._settle(flight, FAILED)

    def _settle(self, flight: Flight, state: str, fill: Any = None) -> None:
        with self._lock:
            if self._flights.get(flight.key) is flight:
                del self._flights[flight.key]  # later misses start afresh (a fill or an entry answers them)
        with flight.cond:
            if flight.state == PENDING:
                flight.state, flight.fill = state, fill
            flight.cond.notify_all()
