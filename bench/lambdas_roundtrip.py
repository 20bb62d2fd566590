"""Warm invoke round trip of the Lambda emulation: parent -> worker -> parent with a small JSON event.

Runs the echo handler of tests/localcloud/fixtures/functions/basic in one warm worker and prints the
p50/p99 of `LambdaService.invoke` wall time, of the handler's own duration, and of the overhead (the
difference: framing, pipes, JSON, logs, process wake-ups). Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from stats import Latency, latency_table

ROOT = Path(__file__).resolve().parent.parent
ECHO = ROOT / "tests" / "localcloud" / "fixtures" / "functions" / "basic"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="timed invocations (default 5000)")
    parser.add_argument("--warmup", type=int, default=500)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from localcloud.lambdas import LambdaService
    from localcloud.model import ACCOUNT_ID, FunctionSpec, LogStore

    spec = FunctionSpec(
        address="Bench/Echo",
        name="bench-echo",
        arn=f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:bench-echo",
        handler="app.echo",
        runtime="python3.13",
        code_dir=ECHO,
    )
    service = LambdaService(sys.executable, {"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"}, LogStore())
    try:
        service.register(spec)
        event = {"id": "abc", "items": [1, 2, 3], "nested": {"ok": True}}
        started = time.perf_counter()
        cold = service.invoke(spec.address, event)
        cold_ms = (time.perf_counter() - started) * 1000
        for _ in range(args.warmup):
            service.invoke(spec.address, event)

        total, handler, overhead = Latency(), Latency(), Latency()
        pids = set()
        for _ in range(args.n):
            started = time.perf_counter()
            result = service.invoke(spec.address, event)
            elapsed = (time.perf_counter() - started) * 1000
            if result.error:
                raise RuntimeError(f"echo failed: {result.error}")
            pids.add(result.payload["pid"])
            total.samples.append(elapsed)
            handler.samples.append(result.duration_ms)
            overhead.samples.append(elapsed - result.duration_ms)
    finally:
        service.shutdown()

    print(f"lambdas round trip: {args.n} warm invokes of an echo handler, {len(pids)} worker process(es)")
    print(f"cold start (spawn + import + first invoke): {cold_ms:.1f} ms, pid {cold.payload['pid']}")
    print(latency_table({"invoke()": total, "handler": handler, "overhead": overhead}))


if __name__ == "__main__":
    main()
