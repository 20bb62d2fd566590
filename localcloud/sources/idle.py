"""Knowing when every event source is quiet, so tests can wait for effects instead of sleeping.

Pollers mark the time they hold work (messages received, records read, an invocation running) with
`Activity.working()`. `wait_quiet` declares quiet only when nothing is held, every source reports no
pending input, and no work started or ended between two consecutive checks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

CHECK_INTERVAL = 0.02


class Activity:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._ticks = 0

    @contextmanager
    def working(self) -> Iterator[None]:
        with self._lock:
            self._busy += 1
            self._ticks += 1
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                self._ticks += 1

    def state(self) -> tuple[int, int]:
        """(work held now, work started or finished so far)."""
        with self._lock:
            return self._busy, self._ticks


def wait_quiet(activity: Activity, sources: Callable[[], Iterable[Callable[[], bool]]], timeout: float) -> bool:
    """True once two consecutive checks find everything quiet with no activity in between."""
    deadline = time.monotonic() + timeout
    previous_ticks: int | None = None
    while True:
        busy, ticks = activity.state()
        quiet = busy == 0 and all(check() for check in sources())
        busy_after, ticks_after = activity.state()
        quiet = quiet and busy_after == 0 and ticks_after == ticks
        if quiet and previous_ticks == ticks:
            return True
        previous_ticks = ticks if quiet else None
        if time.monotonic() >= deadline:
            return False
        time.sleep(CHECK_INTERVAL)
