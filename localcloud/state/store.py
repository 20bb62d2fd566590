"""The snapshot on disk: one SQLite file replaced atomically, plus content-addressed blobs beside it.

    <state-dir>/state.db        meta (format, moto version, time) and one JSON record per saved thing
    <state-dir>/blobs/<sha256>  object bodies, written once and shared by every snapshot that names them

A save writes `state.db.tmp`, fsyncs it, renames it over `state.db` and fsyncs the folder, so a crash
at any point leaves the previous snapshot whole. Blobs are written (and fsynced) before the file that
names them and collected only after the new file is in place. A file that cannot be read, or that an
incompatible version wrote, is set aside under a dated name and never overwritten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

FORMAT = 1
FILE_NAME = "state.db"


class SnapshotError(Exception):
    """The snapshot is corrupt or was written by an incompatible version."""


def compatibility() -> dict[str, str]:
    """What must match for saved moto objects to be rebuilt as they were."""
    return {"format": str(FORMAT), "moto": version("moto")}


class SnapshotFile:
    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / FILE_NAME
        self.blob_dir = self.state_dir / "blobs"

    def exists(self) -> bool:
        return self.path.exists()

    # reading ------------------------------------------------------------------------------------

    def read(self) -> dict[str, list[dict[str, Any]]]:
        """Every record by section. Raises SnapshotError for a corrupt or incompatible file."""
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)) as db:
                meta = dict(db.execute("SELECT key, value FROM meta"))
                wanted = compatibility()
                mismatch = {k: (meta.get(k), v) for k, v in wanted.items() if meta.get(k) != v}
                if mismatch:
                    found = ", ".join(f"{k} {saved} (this version has {now})" for k, (saved, now) in mismatch.items())
                    raise SnapshotError(f"it was written with {found}")
                sections: dict[str, list[dict[str, Any]]] = {}
                for section, body in db.execute("SELECT section, body FROM records ORDER BY seq"):
                    sections.setdefault(section, []).append(json.loads(body))
                return sections
        except sqlite3.DatabaseError as exc:
            raise SnapshotError(f"it cannot be read ({exc})") from None
        except ValueError as exc:
            raise SnapshotError(f"a record is not JSON ({exc})") from None

    def blob(self, digest: str) -> bytes:
        try:
            return (self.blob_dir / digest).read_bytes()
        except OSError as exc:
            raise SnapshotError(f"object body {digest} is missing ({exc.strerror})") from None

    # writing ------------------------------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        """Store a body once under its SHA-256; returns the digest."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.blob_dir / digest
        if not target.exists():
            self.blob_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
            _write_synced(tmp, data)
            tmp.replace(target)
        return digest

    def write(self, records: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Replace the snapshot atomically with these (section, record) pairs; returns the count."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(FILE_NAME + ".tmp")
        tmp.unlink(missing_ok=True)
        count = 0
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            db.execute("CREATE TABLE records (seq INTEGER PRIMARY KEY, section TEXT NOT NULL, body TEXT NOT NULL)")
            meta = {**compatibility(), "saved_at": str(time.time())}
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            for count, (section, record) in enumerate(records, start=1):
                db.execute(
                    "INSERT INTO records (seq, section, body) VALUES (?, ?, ?)",
                    (count, section, json.dumps(record, separators=(",", ":"))),
                )
            db.commit()
        _fsync(tmp)
        tmp.replace(self.path)
        _fsync_dir(self.state_dir)
        return count

    def collect_blobs(self, keep: set[str]) -> int:
        """Delete blobs no snapshot names any more (call after a successful write)."""
        removed = 0
        for path in self._blob_paths():
            if path.name not in keep and not path.name.startswith("."):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def set_aside(self, why: str) -> Path:
        """Move an unreadable snapshot out of the way under a dated name; returns where it went."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{FILE_NAME}.{why}-{stamp}")
        self.path.replace(target)
        return target

    def _blob_paths(self) -> Iterator[Path]:
        if self.blob_dir.is_dir():
            yield from self.blob_dir.iterdir()


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(path)
