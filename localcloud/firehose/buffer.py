"""Records waiting for delivery, and when the next object is due by the buffering hints.

Firehose delivers when the buffer reaches SizeInMBs or when IntervalInSeconds have passed since the
oldest buffered record came in, whichever comes first; an interval of 0 delivers at once. One object
never holds more than the size (unless one record alone is larger), so a burst becomes several
objects. Request threads (DirectPut) and the poller (Kinesis reads) add; only the poller takes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Record:
    data: bytes
    arrival: float  # epoch seconds: the approximate arrival time (Kinesis) or when Firehose got it
    record_id: str
    kinesis: dict | None = None  # sequenceNumber, partitionKey, shardId, approximateArrivalTimestamp
    buffered_at: float = field(default=0.0)  # monotonic: when it entered the buffer


class Buffer:
    def __init__(self, size_bytes: int, interval: float, clock: Callable[[], float] = time.monotonic):
        self.size_bytes = size_bytes
        self.interval = interval
        self._clock = clock
        self._records: deque[Record] = deque()
        self._bytes = 0
        self._lock = threading.Lock()

    def add(self, records: Iterable[Record]) -> None:
        now = self._clock()
        with self._lock:
            for record in records:
                record.buffered_at = now
                self._records.append(record)
                self._bytes += len(record.data)

    def put_back(self, records: list[Record]) -> None:
        """Return records whose delivery failed to the front, keeping their age."""
        with self._lock:
            self._records.extendleft(reversed(records))
            self._bytes += sum(len(r.data) for r in records)

    def seconds_until_due(self) -> float | None:
        """0 when an object is due now, None when the buffer is empty."""
        with self._lock:
            if not self._records:
                return None
            if self._bytes >= self.size_bytes:
                return 0.0
            return max(0.0, self._records[0].buffered_at + self.interval - self._clock())

    def take(self, *, everything: bool = False) -> list[Record]:
        """One object's worth of records if an object is due (or `everything` asks for it), else []."""
        due = self.seconds_until_due()
        if due is None or (due > 0 and not everything):
            return []
        with self._lock:
            taken: list[Record] = []
            size = 0
            while self._records and (not taken or size + len(self._records[0].data) <= self.size_bytes):
                record = self._records.popleft()
                size += len(record.data)
                taken.append(record)
            self._bytes -= size
            return taken

    def clear(self) -> int:
        with self._lock:
            dropped = len(self._records)
            self._records.clear()
            self._bytes = 0
            return dropped

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)
