"""Lambda emulation: warm worker processes per function, with Lambda's concurrency, timeouts and errors.

`service` holds LambdaService (registry, invoke, lifecycle); `monitor` its background sweep (code
changes, idle and dead workers); `pool` a function's workers; `process` one
worker process and its pipes; `reports` Lambda's log lines; `reload` change detection; `environment`
what a worker is given; `packaging` what a function may import (its package, layers and the runtime's
boto3, as on Lambda), installed by `installer` into a cache and run on the Python `interpreters` finds;
`worker.py` is the program each worker runs (standard library only, started isolated).
"""

from localcloud.lambdas.monitor import RELOAD_POLL_SECONDS, SPARE_IDLE_SECONDS
from localcloud.lambdas.pool import DEFAULT_CONCURRENCY
from localcloud.lambdas.process import MAX_LOG_LINE_BYTES, WORKER_SCRIPT
from localcloud.lambdas.service import INIT_TIMEOUT_SECONDS, MAX_RESPONSE_BYTES, LambdaService

__all__ = [
    "DEFAULT_CONCURRENCY",
    "INIT_TIMEOUT_SECONDS",
    "MAX_LOG_LINE_BYTES",
    "MAX_RESPONSE_BYTES",
    "RELOAD_POLL_SECONDS",
    "SPARE_IDLE_SECONDS",
    "WORKER_SCRIPT",
    "LambdaService",
]
