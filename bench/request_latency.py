"""Request latency of a trivial handler: localcloud's gateway vs serverless-offline, side by side.

Both serve bench/fixtures/hello/app.py from a warm Python 3.13 process. One keep-alive client per side
sends requests alternately (A B, B A, A B...) so that machine noise hits both, after a warm-up.
Prints p50/p99/mean per side and the ratio localcloud/peer.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import localcloud_up
import peer
from http_client import KeepAliveClient
from stats import Figure, Latency, cli, latency_table

BENCH = Path(__file__).resolve().parent
TEMPLATE = BENCH / "fixtures" / "hello" / "template.yaml"
EXPECTED = {"message": "hello"}
NAME = "request latency (hello)"


def _check(side: str, status: int, body: bytes) -> None:
    if status != 200 or json.loads(body) != EXPECTED:
        raise RuntimeError(f"{side} answered {status} {body[:200]!r}, expected 200 {EXPECTED}")


def measure(
    clients: dict[str, KeepAliveClient], path: str, requests: int, warmup: int, max_seconds: float
) -> dict[str, Latency]:
    for name, client in clients.items():
        for _ in range(warmup):
            _check(name, *client.get(path)[:2])
    results = {name: Latency() for name in clients}
    order = list(clients)
    deadline = time.monotonic() + max_seconds
    for i in range(requests):
        for name in order if i % 2 == 0 else reversed(order):
            status, body, ms = clients[name].get(path)
            _check(name, status, body)
            results[name].samples.append(ms)
        if time.monotonic() > deadline:
            print(f"time bound of {max_seconds:.0f} s reached after {i + 1} requests per side", flush=True)
            break
    return results


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per side (default 2000)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests per side first (default 200)")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop measuring after this long")
    parser.add_argument("--localcloud-url", help="use this running API base URL instead of starting localcloud")
    parser.add_argument("--no-peer", action="store_true", help="measure localcloud only")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-latency-"))
    clients: dict[str, KeepAliveClient] = {}
    started = []
    peer_note = ""
    try:
        if args.localcloud_url:
            clients["localcloud"] = KeepAliveClient(args.localcloud_url)
        else:
            lc = localcloud_up.start(work / "state", work / "localcloud.log", template=TEMPLATE)
            started.append(lc)
            clients["localcloud"] = KeepAliveClient(lc.api_url("ServerlessRestApi"))
        srv = None
        if not args.no_peer:
            try:
                srv = peer.start(Path(sys.prefix) / "bin", work / "peer.log")
                started.append(srv)
                clients["serverless-offline"] = KeepAliveClient(srv.base_url)
                peer_note = ", ".join(f"{k} {v}" for k, v in srv.versions.items())
                print(f"peer: python3 = {srv.python}", flush=True)
            except peer.PeerUnavailable as exc:
                print(f"peer skipped: {exc}", flush=True)
        workers_before = srv.python_workers() if srv else []
        results = measure(clients, "/hello", args.requests, args.warmup, args.max_seconds)
        if srv:
            workers_after = srv.python_workers()
            print(f"peer python workers: before {workers_before}, after {workers_after}", flush=True)
            if len(workers_after) != 1 or workers_before != workers_after:
                peer_note += " (python process NOT reused across requests)"
        connects = {name: c.connects for name, c in clients.items()}
    finally:
        for client in clients.values():
            client.close()
        for proc in reversed(started):
            proc.stop()

    print(f"\n{NAME}: keep-alive, alternating, {args.warmup} warm-up; connections opened {connects}")
    if peer_note:
        print(f"peer: {peer_note}")
    print(latency_table(results, baseline="serverless-offline" if len(results) == 2 else None))
    figures = [Figure(NAME, "localcloud p50", results["localcloud"].p50)]
    figures.append(Figure(NAME, "localcloud p99", results["localcloud"].p99))
    if "serverless-offline" in results:
        other = results["serverless-offline"]
        figures.append(Figure(NAME, "serverless-offline p50", other.p50, note=peer_note))
        figures.append(Figure(NAME, "serverless-offline p99", other.p99))
        figures.append(Figure(NAME, "ratio localcloud/peer p50", results["localcloud"].p50 / other.p50, "x"))
        figures.append(Figure(NAME, "ratio localcloud/peer p99", results["localcloud"].p99 / other.p99, "x"))
    return figures


if __name__ == "__main__":
    cli(run)
