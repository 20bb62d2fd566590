"""The edge cache: entries keyed by cache key, bodies streamed to disk while they are served.

A miss creates a `Fill`: the origin's body is appended to a file in the cache folder as it arrives,
and any number of readers follow that file while it grows (the viewer that caused the miss, and every
request collapsed onto it). When the body is complete the fill becomes an `Entry`; a small body then
moves to memory, a large one stays on disk and is streamed from there. No body is ever held whole in
memory unless it is small, so peak memory does not grow with object size.

Entries past their TTL stay until evicted, as CloudFront keeps stale copies: a revalidation or an
origin error can still use them. The store evicts least recently used entries past `max_bytes`.
Invalidation removes matching entries at once; a fill under way for a matching path is marked so that
it is not stored when it completes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from localcloud.edge.model import Headers
from localcloud.model import FileSlice

CHUNK = 64 * 1024
# A body on disk is served as file slices, which the HTTP server sends with sendfile (no copy through
# Python: a hit keeps up with an origin that sends the same way); a consumer that reads a slice as bytes
# holds at most this much.
SLICE = 8 * 1024 * 1024
MEMORY_BODY_MAX = 1024 * 1024  # bodies up to this size are kept in memory once complete
DEFAULT_MAX_BYTES = 2 * 1024**3


class FillFailed(Exception):
    """The origin's body broke off; readers following the fill cannot complete."""


@dataclass
class Entry:
    key: str
    path: str  # the viewer URI the entry answers, for invalidation and the console
    status: int
    headers: Headers
    size: int
    stored_at: float  # wall clock, for Age
    expires_at: float
    body: bytes | None = None  # small bodies
    file: Path | None = None  # large bodies
    hits: int = 0

    def fresh(self, now: float) -> bool:
        return now < self.expires_at

    def age(self, now: float) -> int:
        return max(0, int(now - self.stored_at))

    def read(self, start: int = 0, end: int | None = None) -> Iterator[bytes | FileSlice]:
        """The body from byte `start` to `end` inclusive (the whole body by default): bytes from memory,
        slices of the file from disk."""
        stop = self.size if end is None else end + 1
        if self.body is not None:
            for offset in range(start, stop, CHUNK):
                yield self.body[offset : min(stop, offset + CHUNK)]
            return
        assert self.file is not None
        body = _OpenBody(self.file)
        if os.fstat(body.fileno()).st_size < stop:
            raise FillFailed(f"cached body of {self.path} is shorter than {self.size} bytes")
        for offset in range(start, stop, SLICE):
            yield FileSlice(body, offset, min(SLICE, stop - offset))


class _OpenBody:
    """A read-only descriptor of a cached body, shared by the slices cut from it and closed when the last
    of them is gone, so a consumer may hold slices past the iterator (an evicted entry's file is unlinked,
    but the bytes stay readable while a descriptor is open)."""

    def __init__(self, path: Path):
        self._fd = os.open(path, os.O_RDONLY)

    def fileno(self) -> int:
        return self._fd

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


@dataclass
class Fill:
    """A body being written from the origin, readable while it grows."""

    key: str
    path: str
    status: int
    headers: Headers
    ttl: float
    file: Path
    written: int = 0
    done: bool = False
    failed: bool = False
    invalidated: bool = False
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def follow(self, handle: BinaryIO, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes `start` to `end` inclusive (or to the end) from a handle `CacheStore.join` opened,
        waiting for them to arrive; closes the handle."""
        position = start
        try:
            handle.seek(start)
            while end is None or position <= end:
                with self._cond:
                    while position >= self.written and not (self.done or self.failed):
                        self._cond.wait(1.0)
                    available, finished, failed = self.written, self.done, self.failed
                if position >= available:
                    if failed:
                        raise FillFailed(f"the origin's body for {self.path} broke off at byte {available}")
                    if finished:
                        return
                limit = available if end is None else min(available, end + 1)
                while position < limit:
                    chunk = handle.read(min(CHUNK, limit - position))
                    if not chunk:
                        break
                    position += len(chunk)
                    yield chunk
        finally:
            handle.close()


class CacheStore:
    def __init__(
        self,
        directory: Path | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        clock: Callable[[], float] = time.time,
    ):
        self.directory = Path(directory or tempfile.mkdtemp(prefix="localcloud-edge-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.clock = clock
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._fills: dict[str, Fill] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    # reading ------------------------------------------------------------------------------------

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def join(self, key: str) -> tuple[Fill, BinaryIO] | None:
        """Follow the fill under way for `key`, if any: its file is opened here, before a commit can
        remove its name, so the reader always finds the bytes."""
        with self._lock:
            fill = self._fills.get(key)
            return (fill, open(fill.file, "rb")) if fill is not None else None

    def entries(self) -> list[Entry]:
        with self._lock:
            return list(self._entries.values())

    # filling ------------------------------------------------------------------------------------

    def begin(self, key: str, path: str, status: int, headers: Headers, ttl: float) -> Fill:
        handle, name = tempfile.mkstemp(prefix="fill-", dir=self.directory)
        os.close(handle)
        fill = Fill(key=key, path=path, status=status, headers=list(headers), ttl=ttl, file=Path(name))
        with self._lock:
            self._fills[key] = fill
        return fill

    def writer(self, fill: Fill) -> FillWriter:
        return FillWriter(self, fill)

    def commit(self, fill: Fill) -> Entry | None:
        """The body is complete: store it (unless invalidated meanwhile) and wake every reader."""
        now = self.clock()
        entry = Entry(
            key=fill.key, path=fill.path, status=fill.status, headers=fill.headers, size=fill.written,
            stored_at=now, expires_at=now + fill.ttl,
        )  # fmt: skip
        if fill.written <= MEMORY_BODY_MAX:
            entry.body = fill.file.read_bytes()
        else:
            entry.file = fill.file.with_name(fill.file.name.replace("fill-", "entry-", 1))
            os.link(fill.file, entry.file)
        with fill._cond:
            fill.done = True
            fill._cond.notify_all()
        stored = None
        with self._lock:
            if self._fills.get(fill.key) is fill:
                del self._fills[fill.key]
            if not fill.invalidated:
                self._drop(fill.key)
                self._entries[fill.key] = entry
                self._bytes += entry.size
                stored = entry
            self._evict()
        self._unlink_later(fill)
        if stored is None and entry.file is not None:
            entry.file.unlink(missing_ok=True)
        return stored

    def abort(self, fill: Fill) -> None:
        with fill._cond:
            fill.failed = True
            fill._cond.notify_all()
        with self._lock:
            if self._fills.get(fill.key) is fill:
                del self._fills[fill.key]
        self._unlink_later(fill)

    # invalidation and eviction -----------------------------------------------------------------------

    def invalidate(self, matches: Callable[[str], bool]) -> int:
        """Remove every entry whose path matches; returns how many. Fills under way are not stored."""
        with self._lock:
            doomed = [key for key, entry in self._entries.items() if matches(entry.path)]
            for key in doomed:
                self._drop(key)
            for fill in self._fills.values():
                if matches(fill.path):
                    fill.invalidated = True
        return len(doomed)

    def clear(self) -> None:
        self.invalidate(lambda path: True)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size
            if entry.file is not None:
                entry.file.unlink(missing_ok=True)  # open readers keep reading: POSIX keeps the inode

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and len(self._entries) > 1:
            self._drop(next(iter(self._entries)))

    def _unlink_later(self, fill: Fill) -> None:
        """Readers joined under the lock and hold their own handles, so the fill's name can go now: POSIX
        keeps the data until the last handle closes."""
        with contextlib.suppress(OSError):
            fill.file.unlink()


class FillWriter:
    """Appends through one open handle (a fill's bytes arrive in many small chunks)."""

    def __init__(self, store: CacheStore, fill: Fill):
        self.store = store
        self.fill = fill
        self._handle = open(fill.file, "ab")  # noqa: SIM115 - closed by commit/abort

    def write(self, chunk: bytes) -> None:
        self._handle.write(chunk)
        self._handle.flush()
        with self.fill._cond:
            self.fill.written += len(chunk)
            self.fill._cond.notify_all()

    def commit(self) -> Entry | None:
        self._handle.close()
        return self.store.commit(self.fill)

    def abort(self) -> None:
        self._handle.close()
        self.store.abort(self.fill)
