"""The stage cache: GET responses kept for the method's TTL, keyed by the method's cache-key parameters."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from localcloud.model import HttpResponse


class StageCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000):
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[tuple, tuple[float, HttpResponse]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> HttpResponse | None:
        now = self._clock()
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            expires, resp = hit
            if now >= expires:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return HttpResponse(resp.status, list(resp.headers), resp.body)

    def put(self, key: tuple, resp: HttpResponse, ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + ttl, HttpResponse(resp.status, list(resp.headers), resp.body))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
