"""ULIDs (github.com/ulid/spec): 48 bits of Unix time in milliseconds, then 80 random bits, written as 26
Crockford base32 characters, so their text order is their time order.

The random part comes from os.urandom, as the spec asks where it can be had. Ids made in one process are
strictly increasing even within one millisecond (or when the clock steps back): the spec's monotonic
rule, the previous id plus one.
ulid-transform is the codec; it imports in about 2 ms (python-ulid spent 20 ms of a cold start reading
its own version through importlib.metadata), on the first call, so a function that never makes or
decodes an id never loads it.
"""

from __future__ import annotations

import os
import threading
import time

MAX_MS = (1 << 48) - 1
_RANDOM = (1 << 80) - 1
_lock = threading.Lock()
_last = -1  # no id made yet


def new_ulid(now_ms: int | None = None) -> str:
    """A new ULID at `now_ms` (default: now), greater than every ULID this process made before."""
    from ulid_transform import bytes_to_ulid

    global _last
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    if not 0 <= millis <= MAX_MS:
        raise ValueError(f"a ULID timestamp is 0..{MAX_MS} ms, not {millis}")
    candidate = millis << 80 | int.from_bytes(os.urandom(10), "big")
    with _lock:
        if millis <= _last >> 80:  # the same millisecond (or the clock stepped back)
            if _last & _RANDOM == _RANDOM:  # the spec: fail rather than carry into the timestamp
                raise OverflowError("the random part of ULIDs in this millisecond is used up")
            candidate = _last + 1
        _last = candidate
    return bytes_to_ulid(candidate.to_bytes(16, "big"))


def ulid_ms(value: str) -> int:
    """The timestamp of a ULID the caller has already validated (the codec does not check characters)."""
    from ulid_transform import ulid_to_timestamp

    return ulid_to_timestamp(value)
