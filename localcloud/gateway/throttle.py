"""Method throttling: one token bucket per (api, stage, method), refilled at `rate`, holding `burst`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBuckets:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._buckets: dict[tuple, list[float]] = {}  # key -> [tokens, last refill]
        self._lock = threading.Lock()

    def allow(self, key: tuple, rate: float | None, burst: int | None) -> bool:
        """Take one token; False when the bucket is empty. No limits set means no throttling."""
        if rate is None and burst is None:
            return True
        rate = float(rate if rate is not None else burst)
        capacity = float(burst if burst is not None else max(rate, 1.0))
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = [capacity, now]
            tokens = min(capacity, bucket[0] + (now - bucket[1]) * rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return True
            bucket[0] = tokens
            return False

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
