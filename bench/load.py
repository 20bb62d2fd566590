"""A mixed, read-heavy load on the root template through locust, headless, bounded in users and time.

This script (in .venv, like every bench) starts localcloud as `make dev` does, signs up `--accounts` users
with Cognito tokens and 20 to-dos each, and publishes `--posts` blog posts. Then it runs locust from its own
venv (.venv-bench, requirements/bench.txt) against that instance: `bench/load_locustfile.py`, 90 % reads
(todos, and the blog through its API and through the CDN) and 10 % writes (POST and PATCH /todos), with
`--users` concurrent users for `--seconds`. Prints requests, throughput, p50/p95/p99 overall, per kind and
per route, errors, and 429s counted apart.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import localcloud_up
import requests
from blog import admin_token
from stats import Figure, cli, percentile, table

ROOT = Path(__file__).resolve().parent.parent
BENCH_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
PASSWORD = "Load-Passw0rd-2026"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


def sign_in(endpoints: dict, email: str) -> str:
    """An app user's id token (admin-created, as route_overhead.py makes its user)."""
    ids = endpoints["cognito"]
    idp = boto3.client("cognito-idp", endpoint_url=endpoints["aws"], region_name=endpoints["region"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=ids["userPoolId"], Username=email, MessageAction="SUPPRESS",
                          UserAttributes=attributes)  # fmt: skip
    idp.admin_set_user_password(UserPoolId=ids["userPoolId"], Username=email, Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(ClientId=ids["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})  # fmt: skip
    return auth["AuthenticationResult"]["IdToken"]


def prepare(endpoints: dict, accounts: int, todos: int, posts: int) -> dict:
    """Users with to-dos and published posts, made through the APIs; what the locustfile calls."""
    session = requests.Session()
    todos_api, blog_api = endpoints["apis"]["Todos/TodosApi"], endpoints["apis"]["Blog/BlogApi"]
    cdn = endpoints["cdn"]["Blog/Cdn"]
    users = []
    for n in range(accounts):
        token = sign_in(endpoints, f"load-{n}@example.com")
        ids = []
        for i in range(todos):
            made = session.post(f"{todos_api}/todos", json={"title": f"todo {i}"}, headers={"Authorization": token})
            made.raise_for_status()
            ids.append(made.json()["todoId"])
        users.append({"token": token, "todo_ids": ids})
    admin = {"Authorization": admin_token(endpoints)}
    slugs = []
    for n in range(posts):
        slug = f"load-{n}-{uuid.uuid4().hex[:6]}"
        body = {"slug": slug, "title": f"Load post {n}", "body": "# Load\n\n" + "Words. " * 200}
        session.post(f"{cdn}/api/posts", json=body, headers=admin, timeout=30).raise_for_status()
        session.post(f"{cdn}/api/posts/{slug}/publish", headers=admin, timeout=30).raise_for_status()
        slugs.append(slug)
    deadline = time.monotonic() + 60
    for slug in slugs:  # rendered pages exist before the load starts
        while session.get(f"{cdn}/posts/{slug}", timeout=30).status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{slug} not rendered after 60 s")
            time.sleep(0.05)
    return {"todos_api": todos_api, "blog_api": blog_api, "cdn": cdn, "users": users, "slugs": slugs}


def run_locust(python: Path, plan: dict, users: int, spawn_rate: float, seconds: float, work: Path) -> list[list]:
    """locust in its own venv, headless, for `seconds`; returns [kind, name, status, ms, failed, time, bytes,
    X-Cache] per request."""
    plan_file, samples_file = work / "plan.json", work / "samples.json"
    plan_file.write_text(json.dumps(plan))
    args = [str(python), "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
            "-u", str(users), "-r", str(spawn_rate), "-t", f"{round(seconds)}s", "--stop-timeout", "5",
            "--loglevel", "WARNING"]  # fmt: skip
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_SAMPLES": str(samples_file)}
    # locust exits 1 when any request failed: the failures are counted below, not a reason to stop.
    subprocess.run(args, cwd=ROOT, env=env, timeout=round(seconds) + 120, check=False)
    if not samples_file.exists():
        raise RuntimeError("locust wrote no samples (see its output above)")
    return json.loads(samples_file.read_text())


def measured(samples: list[list], warmup: float) -> list[list]:
    """The samples after the first `warmup` seconds (while users spawn and new workers start cold)."""
    if not samples:
        return []
    start = min(row[5] for row in samples) + warmup
    return [row for row in samples if row[5] >= start]


def summarize(samples: list[list], seconds: float) -> dict:
    """Counts and percentiles of locust's samples: overall, reads vs writes, and per route."""

    def block(rows: list[list]) -> dict:
        times = [row[3] for row in rows]
        throttled = sum(1 for row in rows if row[2] == 429)
        errors = sum(1 for row in rows if row[4] and row[2] != 429)
        figures = {"requests": len(rows), "errors": errors, "throttled": throttled}
        for q in (50, 95, 99):
            figures[f"p{q}"] = percentile(times, q) if times else None
        figures["bytes"] = sum(row[6] for row in rows) / len(rows) if rows else None
        cached = [row[7] for row in rows if row[7]]  # X-Cache: answered by the CDN
        figures["cdn_hit_ratio"] = sum(1 for c in cached if c.startswith("Hit")) / len(cached) if cached else None
        return figures

    names = sorted({row[1] for row in samples})
    reads = [row for row in samples if row[0] not in WRITES]
    return {
        "seconds": seconds,
        "all": block(samples),
        "reads": block(reads),
        "writes": block([row for row in samples if row[0] in WRITES]),
        "read_share": len(reads) / len(samples) if samples else None,
        "routes": {name: block([row for row in samples if row[1] == name]) for name in names},
    }


def report(summary: dict) -> tuple[str, list[Figure]]:
    """The printed table and the figures run_all.py and the status report collect."""

    def row(label: str, b: dict) -> list[str]:
        cells = [f"{b[k]:.1f}" if b[k] is not None else "-" for k in ("p50", "p95", "p99")]
        extra = [f"{b['bytes']:.0f}" if b["bytes"] is not None else "-"]
        extra.append(f"{b['cdn_hit_ratio']:.1%}" if b["cdn_hit_ratio"] is not None else "-")
        return [label, str(b["requests"]), *cells, str(b["errors"]), str(b["throttled"]), *extra]

    rows = [row("all", summary["all"]), row("reads", summary["reads"]), row("writes", summary["writes"])]
    rows += [row(name, b) for name, b in summary["routes"].items()]
    header = ["", "requests", "p50 ms", "p95 ms", "p99 ms", "errors", "429", "body bytes", "CDN hits"]
    text = table(rows, header)
    total = summary["all"]
    rate = total["requests"] / summary["seconds"]
    text += f"\n\n{total['requests']} requests in {summary['seconds']:.0f} s ({rate:.1f}/s), "
    text += f"reads {summary['read_share']:.1%}, errors {total['errors']}, 429s {total['throttled']}"
    figures = [
        Figure("load", "requests", total["requests"], ""),
        Figure("load", "throughput", rate, "req/s"),
        Figure("load", "p50", total["p50"]),
        Figure("load", "p95", total["p95"]),
        Figure("load", "p99", total["p99"]),
        Figure("load", "reads p50", summary["reads"]["p50"]),
        Figure("load", "writes p50", summary["writes"]["p50"]),
        Figure("load", "errors (not 429)", total["errors"], ""),
        Figure("load", "429 throttled", total["throttled"], ""),
    ]
    for name, b in summary["routes"].items():  # the inputs docs/SCALE.md reads: bytes and CDN hits per route
        figures.append(Figure("load", f"{name} p50", b["p50"]))
        figures.append(Figure("load", f"{name} body bytes", b["bytes"], "B", "mean"))
        if b["cdn_hit_ratio"] is not None:
            figures.append(Figure("load", f"{name} CDN hit ratio", b["cdn_hit_ratio"] * 100, "%"))
    return text, figures


def run(argv: list[str]) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="concurrent locust users (default 10)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--seconds", type=int, default=60, help="how long the load is measured (default 60)")
    parser.add_argument("--warmup-seconds", type=int, default=10, help="load before that, not measured")
    parser.add_argument("--accounts", type=int, default=4, help="Cognito users the locust users share")
    parser.add_argument("--posts", type=int, default=3, help="published blog posts")
    parser.add_argument("--wait-ms", type=float, nargs=2, default=[50, 150], help="think time range per user")
    parser.add_argument("--bench-python", type=Path, default=BENCH_PYTHON, help="a python with locust")
    args = parser.parse_args(argv)
    if not args.bench_python.exists():
        raise SystemExit(f"no {args.bench_python}: make .venv-bench/.ready (requirements/bench.txt) first")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as state:
        work = Path(state)
        cloud = localcloud_up.start(work / "state", work / "log.txt")
        try:
            plan = prepare(cloud.endpoints, args.accounts, 20, args.posts)
            plan["wait_seconds"] = [ms / 1000 for ms in args.wait_ms]
            total = args.warmup_seconds + args.seconds
            samples = measured(run_locust(args.bench_python, plan, args.users, args.spawn_rate, total, work),
                               args.warmup_seconds)  # fmt: skip
        finally:
            cloud.stop()
    print(f"\n{args.users} users, {args.accounts} accounts, {args.posts} posts, think time {args.wait_ms} ms; "
          f"the first {args.warmup_seconds} s not measured")  # fmt: skip
    text, figures = report(summarize(samples, args.seconds))
    print(text)
    return figures


if __name__ == "__main__":
    cli(run)
