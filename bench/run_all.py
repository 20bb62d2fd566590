"""Every localcloud benchmark, each in its own process, then one summary table (what `make bench` runs).

Benches: request latency vs serverless-offline, overhead on GET /todos/{id}, `make dev` time to ready,
SQS → handler latency, AWS calls through the endpoint vs moto in-process vs a canned-reply floor, the local
CloudFront, software-update offloading through it, the blog's pages and publishing, its storage-first view
ingestion vs a direct PutRecord, and the cold start of every API function against a bare Powertools handler.
`--quick` runs fewer requests; `--only NAME` runs some of them. Other bench scripts in this folder that
take no arguments (lambdas_roundtrip.py, sqs_latency.py) run after these, with their own output.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import processes  # noqa: F401 (SIGTERM/SIGHUP become SystemExit here, so the finally below runs)
from stats import Figure, figures_table

BENCH = Path(__file__).resolve().parent
BENCHES = {
    "request_latency": ([], ["--requests", "500", "--warmup", "100"]),
    "route_overhead": ([], ["--requests", "500", "--warmup", "50"]),
    "dev_ready": ([], ["--runs", "2"]),
    "async_latency": ([], ["--messages", "50"]),
    "lambda_invoke": ([], ["-n", "300", "--warmup", "50"]),
    "aws_endpoint": ([], ["--requests", "300", "--query-requests", "30"]),
    "edge": ([], ["--requests", "300", "--large-mb", "300"]),
    "updates_offload": ([], ["--downloads", "200", "--size-mb", "50", "--concurrency", "50"]),
    "blog": ([], ["--requests", "100", "--publishes", "5"]),
    "blog_views": ([], ["--views", "1000", "--warmup", "50"]),
    "cold_start": ([], ["--runs", "15"]),
    "subscribers": ([], ["--subscribers", "1000", "--welcomes", "30"]),
}
EXTRAS = ("lambdas_roundtrip", "sqs_latency", "media_thumbnails")


def call(args: list[str]) -> int:
    """Run one bench script; if we are stopped meanwhile, SIGTERM it so that it stops its own servers."""
    child = subprocess.Popen([sys.executable, *args], cwd=BENCH.parent)
    try:
        return child.wait()
    finally:
        if child.poll() is None:
            child.terminate()
            child.wait(30)


def run_one(name: str, args: list[str], out: Path) -> tuple[int, float]:
    started = time.monotonic()
    print(f"\n=== {name} {' '.join(args)}".rstrip(), flush=True)
    code = call([str(BENCH / f"{name}.py"), *args, "--figures-json", str(out)])
    return code, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, messages and runs")
    parser.add_argument("--only", action="append", choices=[*BENCHES, *EXTRAS], help="run only these (repeatable)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-all-"))
    figures: list[Figure] = []
    failed = []
    for name, (full, quick) in BENCHES.items():
        if args.only and name not in args.only:
            continue
        out = work / f"{name}.json"
        code, seconds = run_one(name, quick if args.quick else full, out)
        if code != 0 or not out.exists():
            failed.append(name)
            figures.append(Figure(name, "FAILED", None, note=f"exit code {code}, see its output above"))
            continue
        figures += [Figure(**f) for f in json.loads(out.read_text())]
        print(f"({name} took {seconds:.0f} s)", flush=True)
    for name in EXTRAS:
        if (BENCH / f"{name}.py").exists() and (not args.only or name in args.only):
            print(f"\n=== {name}", flush=True)
            code = call([str(BENCH / f"{name}.py")])
            figures.append(Figure(name, "see its output above", None, note=f"exit code {code}"))
            if code != 0:
                failed.append(name)

    print("\n=== summary")
    print(figures_table(figures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
