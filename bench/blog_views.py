"""Blog view ingestion: POST /posts/{slug}/views through the gateway's Kinesis integration vs a direct
Kinesis PutRecord (the baseline), then the count and the Firehose archive verified.

localcloud runs the root template (the blog service with its storage-first route, the view stream,
aggregate-views and the Firehose archive; the `local` samconfig env batches views in 1 s and the
route's stage throttle is ViewsThrottleRateLimit, 1 000/s by default). W workers each hold a
keep-alive HTTP connection and a boto3 Kinesis client and alternate, per view, a POST to the route (slug
`bench-route`) and a PutRecord of the same record shape (slug `bench-direct`), swapping the order each
time, so both sides see the same load. Prints p50/p99 per request of each side and their ratio, the total
ingestion time, and the time until both counters and the archive hold every view (wait-idle).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import localcloud_up
import processes  # noqa: F401 (SIGTERM/SIGHUP become SystemExit, so the finally below stops the child)
import requests
from http_client import KeepAliveClient
from stats import Figure, Latency, cli, latency_table, table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
STAMP = "2026-01-01T00:00:00.000Z"
NAME = "blog views"
ROUTE, DIRECT, WARM = "bench-route", "bench-direct", "bench-warm-up"


class Side:
    def __init__(self) -> None:
        self.latency = Latency()
        self.failed = 0
        self._lock = threading.Lock()

    def add(self, ok: bool, ms: float) -> None:
        with self._lock:
            self.latency.samples.append(ms)
            self.failed += not ok


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=10_000, help="views per side (default 10 000)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured views per side first")
    args = parser.parse_args(argv)

    state = Path(tempfile.mkdtemp(prefix="bench-blog-views-"))
    cloud = localcloud_up.start(state, state / "localcloud.log", template=TEMPLATE)
    try:
        return measure(cloud, args)
    finally:
        cloud.stop()


def aws(cloud, service: str):
    return boto3.client(service, endpoint_url=cloud.endpoints["aws"], region_name=cloud.endpoints["region"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


def wait_idle(cloud, timeout: float) -> bool:
    base = cloud.endpoints["console"].removesuffix("/_local")
    answer = requests.post(f"{base}/_local/control/wait-idle", json={"timeout": timeout}, timeout=timeout + 30)
    return bool(answer.json().get("idle"))


def measure(cloud, args) -> list[Figure]:
    out = cloud.endpoints["outputs"]["Blog"]
    table_name, stream = out["PostsTableName"], out["ViewStreamName"]
    ddb = aws(cloud, "dynamodb")
    for slug in (ROUTE, DIRECT, WARM):
        draft = {"slug": {"S": slug}, "title": {"S": slug}, "status": {"S": "draft"}, "createdAt": {"S": STAMP},
                 "updatedAt": {"S": STAMP}, "version": {"N": "1"}, "views": {"N": "0"}}  # fmt: skip
        ddb.put_item(TableName=table_name, Item=draft)
    api = cloud.api_url("BlogApi")
    local = threading.local()

    def clients() -> tuple[KeepAliveClient, object]:
        if not hasattr(local, "http"):
            local.http, local.kinesis = KeepAliveClient(api), aws(cloud, "kinesis")
        return local.http, local.kinesis

    def via_route(slug: str, side: Side | None) -> None:
        http, _ = clients()
        status, _, ms = http.request("POST", f"/posts/{slug}/views", {"User-Agent": "bench", "Content-Length": "0"})
        if side is not None:
            side.add(status == 202, ms)

    def direct(slug: str, side: Side | None) -> None:
        _, kinesis = clients()
        record = json.dumps({"slug": slug, "time": int(time.time() * 1000), "ua": "bench"}, separators=(",", ":"))
        started = time.perf_counter_ns()
        kinesis.put_record(StreamName=stream, PartitionKey=slug, Data=record.encode())
        if side is not None:
            side.add(True, (time.perf_counter_ns() - started) / 1e6)

    def one(n: int, route: Side | None, base: Side | None, slugs: tuple[str, str]) -> None:
        pair = [lambda: via_route(slugs[0], route), lambda: direct(slugs[1], base)]
        for call in pair if n % 2 == 0 else reversed(pair):
            call()

    with ThreadPoolExecutor(args.workers) as pool:
        list(pool.map(lambda n: one(n, None, None, (WARM, WARM)), range(args.warmup)))
        route, base = Side(), Side()
        started = time.monotonic()
        list(pool.map(lambda n: one(n, route, base, (ROUTE, DIRECT)), range(args.views)))
        ingest = time.monotonic() - started
    idle = wait_idle(cloud, 300)
    settled = time.monotonic() - started
    counts = {
        slug: int(ddb.get_item(TableName=table_name, Key={"slug": {"S": slug}})["Item"].get("views", {"N": "0"})["N"])
        for slug in (ROUTE, DIRECT, WARM)
    }
    archived = archive_counts(cloud, out["ViewsArchiveBucketName"])

    sides = {"POST /posts/{slug}/views": route.latency, "PutRecord (baseline)": base.latency}
    print(f"\n{NAME}: {args.views} views per side, {args.workers} workers, {args.warmup} warm-up views per side")
    print(latency_table(sides, baseline="PutRecord (baseline)"))
    rows = [
        ["ingestion, both sides", f"{ingest:.1f} s", f"{2 * args.views / ingest:.0f} requests/s"],
        ["until counted and archived", f"{settled:.1f} s", "idle" if idle else "NOT idle after 300 s"],
        ["route failures", str(route.failed), "202 expected"],
    ]
    for slug, expected in ((ROUTE, args.views), (DIRECT, args.views), (WARM, 2 * args.warmup)):
        got = counts[slug], archived.get(slug, 0)
        rows.append([f"{slug}: count, archived", f"{got[0]}, {got[1]}", "ok" if got == (expected, expected) else
                     f"EXPECTED {expected}"])  # fmt: skip
    print(table(rows, ["", "value", "note"]))
    ratio = route.latency.p50 / base.latency.p50
    verified = all(counts[s] == archived.get(s) == args.views for s in (ROUTE, DIRECT))
    return [
        Figure(NAME, "route p50", route.latency.p50),
        Figure(NAME, "PutRecord p50", base.latency.p50),
        Figure(NAME, "route/PutRecord p50", ratio, "x"),
        Figure(NAME, f"{args.views} views ingested", ingest, "s", "both sides, alternating"),
        Figure(NAME, "counted and archived", settled, "s", "ok" if verified else "MISMATCH"),
    ]


def archive_counts(cloud, bucket: str) -> dict[str, int]:
    """Archived records per slug, from every object under views/."""
    s3 = aws(cloud, "s3")
    counts: dict[str, int] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="views/"):
        for entry in page.get("Contents", []):
            body = gzip.decompress(s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read())
            for line in body.splitlines():
                slug = json.loads(line).get("slug", "")
                counts[slug] = counts.get(slug, 0) + 1
    return counts


if __name__ == "__main__":
    os.environ.update(localcloud_up.FAKE_AWS_ENV)
    cli(run)
