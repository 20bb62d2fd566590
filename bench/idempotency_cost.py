"""What an Idempotency-Key costs the todos write function's cold start, in fresh processes on this venv:

- `write`: importing `todos.handlers.write` (the function's cold import, as today);
- `write+table`: the same, then the todos table's boto3 resource, which the first POST makes anyway;
- `write+table+idem`: the same, then what the first keyed POST adds once per process: importing
  Powertools' idempotency package and building its config and DynamoDB persistence layer;
- `read`: importing `todos.handlers.read`, which must not load the idempotency package at all.

Each sample is a fresh `python -S` with the function's source and the shared layer on sys.path (and this
venv's site-packages standing in for the layer's Powertools), its environment set, and the Lambda
bootstrap's own imports loaded before the clock starts. The targets alternate in a shuffled order each
round. Prints medians, the ratio write+table+idem/write+table (wall and CPU), and whether `read` loaded
the idempotency package.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import site
import subprocess
import sys
from pathlib import Path

from stats import median

ROOT = Path(__file__).resolve().parents[1]
PATH = [str(ROOT / "services" / "todos" / "src"), str(ROOT / "layers" / "shared"), *site.getsitepackages()]
ENV = {
    "TABLE_NAME": "t",
    "CURSOR_KEY": "k",
    "IDEMPOTENCY_TABLE": "i",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "x",
    "AWS_SECRET_ACCESS_KEY": "x",
    "POWERTOOLS_SERVICE_NAME": "todos",
}
CHILD = """
import sys, time, json, logging, decimal, http.client, traceback, warnings
sys.path[:0] = {path!r}
wall, cpu = time.perf_counter(), time.process_time()
{body}
print(json.dumps({{"ms": (time.perf_counter() - wall) * 1000, "cpu": (time.process_time() - cpu) * 1000,
                   "idem": "aws_lambda_powertools.utilities.idempotency" in sys.modules}}))
"""
BODIES = {
    "write": "import todos.handlers.write",
    "write+table": "import todos.handlers.write\nfrom todos.handlers import http\nhttp.service().store.tables.table",
    "write+table+idem": (
        "import todos.handlers.write\n"
        "from todos.handlers import http\n"
        "http.service().store.tables.table\n"
        "http.service().creates._build()"
    ),
    "read": "import todos.handlers.read",
}


def sample(name: str) -> dict:
    code = CHILD.format(path=PATH, body=BODIES[name])
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **ENV}
    out = subprocess.run([sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {name: [] for name in BODIES}
    for name in BODIES:
        sample(name)  # warm the OS file cache and the .pyc files
    for _ in range(args.rounds):
        for name in random.sample(list(BODIES), len(BODIES)):
            results[name].append(sample(name))
    print(f"{'target':<12} {'median ms':>10} {'cpu ms':>8}  idempotency loaded")
    for name, runs in results.items():
        loaded = {r["idem"] for r in runs}
        print(f"{name:<12} {median([r['ms'] for r in runs]):>10.1f} {median([r['cpu'] for r in runs]):>8.1f}  {loaded}")
    for unit in ("ms", "cpu"):
        base, keyed = (median([r[unit] for r in results[n]]) for n in ("write+table", "write+table+idem"))
        print(
            f"{unit}: the first keyed create adds {keyed - base:.1f} to a first create (its table client made);"
            f" write+table+idem/write+table = {keyed / base:.2f} ({args.rounds} rounds)"
        )


if __name__ == "__main__":
    main()
