"""The stage cache: GET responses kept for the method's TTL, keyed by the method's cache-key parameters,
and what a request's `Cache-Control: max-age=0` does to it, as API Gateway decides.

A client asks for a fresh answer with `Cache-Control: max-age=0`. When the method does not require
authorization for that (`requireAuthorizationForCacheControl` false), or the caller is authorized (its
SigV4 identity may `execute-api:InvalidateCache` the method), the cached entry is skipped, the
integration runs and its answer replaces the entry. Otherwise `unauthorizedCacheControlHeaderStrategy`
decides: FAIL_WITH_403 refuses the request; SUCCEED_WITH_RESPONSE_HEADER (API Gateway's default) ignores
the header and answers as usual with a `Warning` header; SUCCEED_WITHOUT_RESPONSE_HEADER ignores it
silently. Only `max-age=0` counts: API Gateway reads no other request directive.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from localcloud.model import HttpResponse

FAIL_WITH_403 = "FAIL_WITH_403"
WITH_HEADER = "SUCCEED_WITH_RESPONSE_HEADER"
WITHOUT_HEADER = "SUCCEED_WITHOUT_RESPONSE_HEADER"
STRATEGIES = (FAIL_WITH_403, WITH_HEADER, WITHOUT_HEADER)
INVALIDATE_ACTION = "execute-api:InvalidateCache"
WARNING = "199 Cache-control headers were ignored because the caller was unauthorized."


class InvalidationRefused(Exception):
    """An unauthorized `max-age=0` on a method whose strategy is FAIL_WITH_403 (a 403)."""


@dataclass(frozen=True)
class CacheUse:
    """How one request uses its method's cache: may a stored entry answer it, and must the answer warn."""

    read: bool = True
    warn: bool = False

    def finish(self, resp: HttpResponse) -> HttpResponse:
        if self.warn:
            resp.headers.append(("Warning", WARNING))
        return resp


def asks_for_fresh(cache_control: Iterable[str]) -> bool:
    """Whether the request's Cache-Control values hold the directive `max-age=0`."""
    return any(d.strip().lower() == "max-age=0" for value in cache_control for d in value.split(","))


def cache_use(
    cache_control: Iterable[str], *, require_authorization: bool, strategy: str, authorized: Callable[[], bool]
) -> CacheUse:
    """The request's use of the cache; `authorized` is asked only when it matters (it checks a signature)."""
    if not asks_for_fresh(cache_control):
        return CacheUse()
    if not require_authorization or authorized():
        return CacheUse(read=False)
    if strategy == FAIL_WITH_403:
        raise InvalidationRefused(f"the caller may not {INVALIDATE_ACTION}, and the method fails such requests")
    return CacheUse(warn=strategy != WITHOUT_HEADER)


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
