"""Persistence: the running app's data is saved in the state dir and put back on the next start.

    start:  provision (ids derive from stack and logical id) → `restore` → serve
    run:    the front calls `touch()` for every request that can change data; a background thread
            saves within `interval` seconds of a change, but never spends more than SAVE_SHARE of the
            time saving: after a save that took t seconds it waits at least t / SAVE_SHARE, so a large
            state under a steady stream of writes is saved less often instead of slowing every request
    stop:   one last save after the event sources and functions have stopped

What is kept: table items, objects (every version), queue messages (hidden fan-in queues included),
user pool users with passwords, groups and issued tokens, identity-pool identities and credentials,
SSM parameters written at run time, secrets with every version, the SES outbox, and whatever an extra
component snapshots (e.g. Cognito's pending verification codes). Data belongs to the template's
resources: a resource that is no longer in the template drops its data, and the start-up line says so.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from localcloud.model import Deployment
from localcloud.state import cognito, dynamodb, s3, secretsmanager, ses, sqs, ssm
from localcloud.state.scope import Restored, Scope
from localcloud.state.store import SnapshotError, SnapshotFile

log = logging.getLogger("localcloud.state")

SECTIONS = (dynamodb, s3, sqs, cognito, ssm, secretsmanager, ses)
EXTRA = "extra"
SAVE_INTERVAL = 1.0
SAVE_SHARE = 0.05  # of the wall clock, at most, spent writing snapshots
_COLLECT_TRIES = 5


class Snapshotable(Protocol):
    def snapshot(self) -> dict[str, Any]: ...

    def restore(self, saved: dict[str, Any]) -> Any: ...


class Persistence:
    def __init__(
        self,
        state_dir: Path,
        *,
        account_id: str,
        region: str,
        extras: dict[str, Snapshotable] | None = None,
        say: Callable[[str], None] = lambda message: None,
        interval: float = SAVE_INTERVAL,
        saving: bool = True,
        make_queue: Callable[[str], bool] | None = None,
    ):
        """`make_queue(name)` makes a queue that the app creates on first use, so its saved messages can
        come back (a function's asynchronous-invoke queue)."""
        self.file = SnapshotFile(state_dir)
        self.saving = saving  # False: restore only, never write (nor set anything aside)
        self.account_id = account_id
        self.region = region
        self.extras = extras or {}
        self.make_queue = make_queue
        self.say = say
        self.interval = interval
        self.scope: Scope | None = None
        self.last_error: str | None = None
        self.saves = 0
        self._changes = 0
        self._saved_changes = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_save_seconds = 0.0

    # start --------------------------------------------------------------------------------------

    def restore(self, deployment: Deployment, *, fresh: bool = False) -> Restored | None:
        """Put the saved data back into the freshly provisioned app; None when there was nothing to load."""
        self.scope = Scope(self.account_id, self.region, deployment, self.file, make_queue=self.make_queue)
        if not self.file.exists():
            return None
        if fresh and self.saving:
            kept = self.file.path.with_name(self.file.path.name + ".before-fresh")
            self.file.path.replace(kept)
            self.say(f"--fresh: starting empty; the previous state is kept as {kept}")
            return None
        try:
            sections = self.file.read()
        except SnapshotError as exc:
            if not self.saving:
                self.say(f"saved state {self.file.path} is unusable ({exc}); starting empty")
                return None
            aside = self.file.set_aside("unreadable")
            self.say(f"saved state {self.file.path} is unusable: {exc}. Starting fresh; the old file is now {aside}")
            return None
        done = Restored()
        failed = []
        for section in SECTIONS:
            try:
                done.merge(section.restore(self.scope, sections.get(section.NAME, [])))
            except Exception as exc:  # keep the rest; the file is copied aside below so nothing is lost
                log.exception("cannot restore %s", section.NAME)
                failed.append(f"{section.NAME}: {type(exc).__name__}: {exc}")
        for record in sections.get(EXTRA, []):
            extra = self.extras.get(record["name"])
            if extra is not None:
                try:
                    extra.restore(record["data"])
                except Exception as exc:
                    failed.append(f"{record['name']}: {type(exc).__name__}: {exc}")
        if failed and self.saving:
            copy = self.file.path.with_name(f"{self.file.path.name}.partial-{time.strftime('%Y%m%d-%H%M%S')}")
            shutil.copy2(self.file.path, copy)
            done.skipped.append(f"could not restore {'; '.join(failed)} (the saved file is kept as {copy})")
        return done

    # saving -------------------------------------------------------------------------------------

    def touch(self) -> None:
        """Something changed: save it within `interval` seconds."""
        self._changes += 1

    def save(self) -> int:
        """Write a snapshot now; returns the number of records. Never raises (a failure is logged)."""
        if self.scope is None or not self.saving:
            return 0
        with self._lock:
            changes = self._changes
            try:
                self.scope.blobs_named = set()
                count = self.file.write(self._records())
                self.file.collect_blobs(self.scope.blobs_named)
            except Exception as exc:
                message = f"cannot save state to {self.file.path}: {type(exc).__name__}: {exc}"
                if message != self.last_error:
                    log.error("%s", message)
                self.last_error = message
                return 0
            self.last_error = None
            self._saved_changes = changes
            self.saves += 1
            return count

    def _records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        assert self.scope is not None
        for section in SECTIONS:
            for record in _collect(section, self.scope):
                yield section.NAME, record
        for name, extra in self.extras.items():
            yield EXTRA, {"name": name, "data": extra.snapshot()}

    def start(self) -> None:
        """Save in the background from now on, whenever something changed."""
        if not self.saving:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._autosave, name="localcloud-state", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background saver and save one last time."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        self.save()

    def _autosave(self) -> None:
        wait = self.interval
        while not self._stop.wait(wait):
            wait = self.interval
            if self._changes != self._saved_changes:
                started = time.monotonic()
                self.save()
                self.last_save_seconds = time.monotonic() - started
                wait = next_wait(self.interval, self.last_save_seconds)


def next_wait(interval: float, last_save_seconds: float) -> float:
    """Seconds before the next save may start: `interval`, or longer after a slow save (SAVE_SHARE)."""
    return max(interval, last_save_seconds / SAVE_SHARE)


def _collect(section: Any, scope: Scope) -> list[dict[str, Any]]:
    """One section's records; moto's dicts may change under us, so a pass that trips on that is retried."""
    for attempt in range(_COLLECT_TRIES):
        try:
            return list(section.save(scope))
        except (RuntimeError, ValueError):  # a dict changed size under us; an object body was replaced
            if attempt == _COLLECT_TRIES - 1:
                raise
            time.sleep(0.01)
    return []
