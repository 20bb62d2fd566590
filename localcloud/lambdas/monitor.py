"""The Lambda service's one background thread: restarts the workers of a function whose code changed, logs
output printed between invocations, drops workers that died while idle and retires long-idle spares."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from localcloud.lambdas.pool import Pool
from localcloud.lambdas.process import Worker
from localcloud.lambdas.reload import code_signature, drop_stale_bytecode
from localcloud.lambdas.reports import exit_text
from localcloud.model import LogStore

RELOAD_POLL_SECONDS = 0.5  # how often code directories are checked for changes
SPARE_IDLE_SECONDS = 300.0  # idle workers beyond the most recently used one are retired after this

_log = logging.getLogger("localcloud.lambdas")


class Monitor:
    """Sweeps the pools `pools()` returns every RELOAD_POLL_SECONDS (`start`, `stop`)."""

    def __init__(self, pools: Callable[[], list[Pool]], logs: LogStore):
        self._pools = pools
        self._logs = logs
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="lambdas-monitor", daemon=True)

    def start(self) -> Monitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5.0)

    def _watch(self) -> None:
        while not self._stop.wait(RELOAD_POLL_SECONDS):
            try:
                self.sweep()
            except Exception:
                _log.exception("lambdas: background sweep failed")

    def sweep(self) -> None:
        signatures: dict[str, int] = {}  # per folder, shared by the functions of one sweep (layers)
        for pool in self._pools():
            _reload_if_changed(pool, signatures)
            self._tend_idle(pool)

    def _tend_idle(self, pool: Pool) -> None:
        """Log output printed between invocations, drop dead workers, retire long-idle spares."""
        dead: list[Worker] = []
        spare: list[Worker] = []
        now = time.monotonic()
        with pool.lock:
            keep: list[Worker] = []
            for index, worker in enumerate(pool.idle):
                worker.collect_output(None)
                if not worker.alive():
                    dead.append(worker)
                elif index < len(pool.idle) - 1 and now - worker.last_used > SPARE_IDLE_SECONDS:
                    spare.append(worker)
                else:
                    keep.append(worker)
            pool.idle = keep
            pool.workers.difference_update(dead + spare)
        discard_dead(dead, self._logs)
        for worker in spare:
            worker.close()


def _reload_if_changed(pool: Pool, signatures: dict[str, int]) -> None:
    with pool.lock:
        if not pool.workers and not pool.busy:
            pool.signature = None  # nothing runs: the next cold start takes a fresh baseline
            return
        spec, generation = pool.spec, pool.generation
    signature = code_signature(spec, signatures)
    with pool.lock:
        changed = pool.generation == generation and pool.signature not in (None, signature)
    if changed:
        drop_stale_bytecode(spec)
    stale: list[Worker] = []
    with pool.lock:
        if pool.generation != generation:
            return
        if pool.signature is None:
            pool.signature = signature
            return
        if signature == pool.signature:
            return
        pool.signature = signature
        pool.generation += 1
        stale, pool.idle = pool.idle, []
        pool.workers.difference_update(stale)
    _log.info("%s: code changed, restarting its workers", spec.address)
    for worker in stale:
        worker.close()


def discard_dead(dead: list[Worker], logs: LogStore) -> None:
    """Log and close workers found dead while idle."""
    for worker in dead:
        worker.collect_output(None)
        status = worker.exit_status()
        logs.append(worker.address, f"localcloud: worker {worker.pid} exited while idle ({exit_text(status)})")
        _log.warning("%s: worker %s exited while idle (%s)", worker.address, worker.pid, exit_text(status))
        worker.close()
