"""Every localcloud benchmark, each in its own process, then one summary table (what `make bench` runs).

Benches: request latency vs serverless-offline, overhead on GET /todos/{id}, `make dev` time to ready,
SQS → handler latency, AWS calls through the endpoint vs moto in-process vs a canned-reply floor, the local
CloudFront, software-update offloading through it, the blog's pages and publishing, its Lighthouse scores,
its storage-first view ingestion vs a direct PutRecord, the cold start of every API function against a bare
Powertools handler, a mixed read-heavy load through locust, and GET /todos with 10 000 to-dos vs 10.
`--quick` runs fewer requests; `--only NAME` runs some of them; `--json FILE` also writes every bench's
command, exit code, time and figures (what `make report` turns into docs/STATUS.md). Other bench scripts in
this folder that take no arguments (lambdas_roundtrip.py, sqs_latency.py) run after these, with their own output.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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
    "blog_lighthouse": ([], ["--runs", "1"]),
    "blog_views": ([], ["--views", "1000", "--warmup", "50"]),
    "cold_start": ([], ["--runs", "15"]),
    "load": ([], ["--users", "5", "--seconds", "20", "--warmup-seconds", "5"]),
    "todos_scale": ([], ["--requests", "100", "--warmup", "10"]),
    "subscribers": ([], ["--subscribers", "1000", "--welcomes", "30"]),
}
EXTRAS = ("lambdas_roundtrip", "sqs_latency", "media_thumbnails")


def call(args: list[str], lines: list[str] | None = None) -> int:
    """Run one bench script; if we are stopped meanwhile, SIGTERM it so that it stops its own servers.
    With `lines`, its output is also kept there (for the extras, which print their figures only)."""
    child = subprocess.Popen([sys.executable, *args], cwd=BENCH.parent, text=True,
                             stdout=subprocess.PIPE if lines is not None else None)  # fmt: skip
    try:
        if lines is not None:
            for line in child.stdout:
                print(line, end="", flush=True)
                lines.append(line.rstrip("\n"))
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


def command(name: str, args: list[str]) -> str:
    """How to rerun one bench as run here, from the repository's root."""
    return " ".join([".venv/bin/python", f"bench/{name}.py", *args])


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


def machine() -> str:
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, load average {load} at the end"


def save(path: Path | None, args: argparse.Namespace, runs: list[dict]) -> None:
    """The --json record so far: written after every bench, so a run stopped midway keeps what it measured."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = ["--quick"] if args.quick else []
    flags += [f"--only {name}" for name in args.only or []]
    ran = {run["bench"] for run in runs}
    not_run = [name for name in [*BENCHES, *EXTRAS] if name not in ran]
    record = {"command": " ".join([".venv/bin/python bench/run_all.py", *flags]), "finished": now(),
              "machine": machine(), "runs": runs, "not_run": not_run}  # fmt: skip
    path.write_text(json.dumps(record, indent=1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, messages and runs")
    parser.add_argument("--only", action="append", choices=[*BENCHES, *EXTRAS], help="run only these (repeatable)")
    parser.add_argument("--json", type=Path, help="also write every bench's command, exit code and figures here")
    args = parser.parse_args()
    runs: list[dict] = []

    work = Path(tempfile.mkdtemp(prefix="bench-all-"))
    figures: list[Figure] = []
    failed = []
    for name, (full, quick) in BENCHES.items():
        if args.only and name not in args.only:
            continue
        out = work / f"{name}.json"
        bench_args = quick if args.quick else full
        started_at = now()
        code, seconds = run_one(name, bench_args, out)
        run = {"bench": name, "command": command(name, bench_args), "date": started_at, "seconds": round(seconds, 1),
               "load": round(os.getloadavg()[0], 1)}  # fmt: skip
        runs.append(run | {"exit_code": code, "figures": []})
        if code != 0 or not out.exists():
            failed.append(name)
            figures.append(Figure(name, "FAILED", None, note=f"exit code {code}, see its output above"))
            save(args.json, args, runs)
            continue
        runs[-1]["figures"] = json.loads(out.read_text())
        figures += [Figure(**f) for f in runs[-1]["figures"]]
        save(args.json, args, runs)
        print(f"({name} took {seconds:.0f} s)", flush=True)
    for name in EXTRAS:
        if (BENCH / f"{name}.py").exists() and (not args.only or name in args.only):
            print(f"\n=== {name}", flush=True)
            started_at, started, output = now(), time.monotonic(), []
            code = call([str(BENCH / f"{name}.py")], output)
            seconds = round(time.monotonic() - started, 1)
            runs.append({"bench": name, "command": command(name, []), "date": started_at, "exit_code": code,
                         "seconds": seconds, "load": round(os.getloadavg()[0], 1), "figures": [],
                         "output": output[-40:]})  # fmt: skip
            save(args.json, args, runs)
            figures.append(Figure(name, "see its output above", None, note=f"exit code {code}"))
            if code != 0:
                failed.append(name)

    print("\n=== summary")
    print(figures_table(figures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
