"""A function's workers: one per concurrent execution, up to its reserved concurrency, with generations
so a code change retires the old ones."""

from __future__ import annotations

import threading
import time

from localcloud.lambdas.process import Worker
from localcloud.model import FunctionSpec, Throttled

DEFAULT_CONCURRENCY = 10  # pool size of a function without ReservedConcurrentExecutions


class Pool:
    """The workers of one function and its concurrency accounting."""

    def __init__(self, spec: FunctionSpec):
        self.spec = spec
        self.lock = threading.Lock()
        self.idle: list[Worker] = []  # a stack: the most recently used worker serves next
        self.workers: set[Worker] = set()  # idle and busy
        self.busy = 0  # invocations in flight, including cold starts
        self.generation = 0  # bumped when the code or the spec changes; older workers retire
        self.signature: int | None = None  # code fingerprint the current generation runs
        self.closed = False

    @property
    def cap(self) -> int:
        reserved = self.spec.reserved_concurrency
        return DEFAULT_CONCURRENCY if reserved is None else reserved

    def acquire(self) -> tuple[Worker | None, FunctionSpec, int, list[Worker]]:
        """Reserve a concurrent execution: a warm worker, or None (the caller starts one). Dead ones returned."""
        dead: list[Worker] = []
        with self.lock:
            if self.closed:
                raise RuntimeError(f"{self.spec.address}: the Lambda service has been shut down")
            cap = self.cap
            if self.busy >= cap:
                reason = (
                    "ReservedFunctionConcurrentInvocationLimitExceeded"
                    if self.spec.reserved_concurrency is not None
                    else "ConcurrentInvocationLimitExceeded"
                )
                raise Throttled(
                    f"Rate Exceeded. {self.spec.address}: {cap} of {cap} concurrent executions busy ({reason})"
                )
            self.busy += 1
            worker = None
            while self.idle:
                candidate = self.idle.pop()
                if candidate.alive():
                    worker = candidate
                    break
                self.workers.discard(candidate)
                dead.append(candidate)
            return worker, self.spec, self.generation, dead

    def release(self, worker: Worker | None, keep: bool) -> None:
        with self.lock:
            self.busy -= 1
            if worker is None:
                return
            if keep and not self.closed and worker.generation == self.generation:
                worker.last_used = time.monotonic()
                self.idle.append(worker)
                return
            self.workers.discard(worker)
        worker.close()

    def retire_all(self, spec: FunctionSpec | None = None) -> list[Worker]:
        """New generation (with a new spec if given): idle workers are returned to be closed, busy ones
        retire when their invocation ends."""
        with self.lock:
            if spec is not None:
                self.spec = spec
                self.signature = None
            self.generation += 1
            stale, self.idle = self.idle, []
            self.workers.difference_update(stale)
            return stale
