"""Software-update offloading: a release-day surge through the updates distribution on the local edge,
against the same surge straight at the origin, in one run.

The origin is the updates service's demo origin (`services/updates/demo/origin.py`, its own process,
serving one file of `--size-mb` MB and counting requests and bytes); the edge is `localcloud up` on
`services/updates/template.yaml` with the origin's domain, port and shared secret as parameters. Each
side gets `--downloads` downloads, `--concurrency` at a time, on one keep-alive connection per client
thread that reads into a reused 1 MiB buffer (so the client is not what is measured).

Prints, per side: origin requests and bytes, client bytes, wall time, throughput and the p50/p99 time
per download; then the offload ratio (1 - origin bytes through the edge / origin bytes direct) and the
edge process's peak RSS growth during the surge, and during the same surge of a `--small-mb` file
(so the growth is seen to follow the connections, not the size). Goals: at most one origin fetch per object
per TTL (offload >= 99.9 %), edge memory independent of the file size, edge throughput on hits at least
the origin's direct throughput.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import localcloud_up
import processes
from edge import peak_rss_growth, rss_kib
from stats import Figure, Latency, cli, table

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TEMPLATE = ROOT / "services" / "updates" / "template.yaml"
ORIGIN = ROOT / "services" / "updates" / "demo" / "origin.py"
NAME = "updates"
SECRET = "bench-secret"
PATH = "/releases/9.9.9/app-9.9.9.bin"
SMALL_PATH = "/releases/9.9.9/delta-9.9.9.bin"
BUFFER = 1 << 20


def _file(root: Path, size: int, path: str = PATH) -> None:
    """An update file, real bytes (not sparse), written once in 1 MiB blocks."""
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    block = os.urandom(BUFFER)
    with open(target, "wb") as out:
        for offset in range(0, size, BUFFER):
            out.write(block[: min(BUFFER, size - offset)])


def _stats(origin_url: str) -> dict:
    with urllib.request.urlopen(origin_url + "/_demo/stats", timeout=10) as response:
        return json.load(response)


def _reset(origin_url: str) -> None:
    request = urllib.request.Request(origin_url + "/_demo/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).close()


class Surge:
    """`count` downloads of one URL, `concurrency` at a time; each thread keeps one connection."""

    def __init__(self, url: str, headers: dict[str, str]):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.headers = headers
        self._local = threading.local()

    def _download(self, _: int) -> tuple[int, float]:
        local = self._local
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
            local.buffer = memoryview(bytearray(BUFFER))
        started = time.perf_counter()
        local.conn.request("GET", self.path, headers=self.headers)
        response = local.conn.getresponse()
        if response.status != 200:
            raise RuntimeError(f"{self.path}: {response.status} {response.read()[:200]!r}")
        received = 0
        while count := response.readinto(local.buffer):
            received += count
        return received, (time.perf_counter() - started) * 1000

    def run(self, count: int, concurrency: int) -> tuple[int, float, Latency]:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(self._download, range(count)))
        wall = time.perf_counter() - started
        return sum(r[0] for r in results), wall, Latency([r[1] for r in results])


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--downloads", type=int, default=1000, help="downloads per side (default 1000)")
    parser.add_argument("--size-mb", type=int, default=100, help="size of the update file (default 100)")
    parser.add_argument("--concurrency", type=int, default=50, help="downloads at a time (default 50)")
    parser.add_argument("--small-mb", type=int, default=5, help="the same surge with this size, edge only (RSS)")
    args = parser.parse_args(argv)
    size = args.size_mb * 1024 * 1024

    work = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    files = work / "files"
    _file(files, size)
    _file(files, args.small_mb * 1024 * 1024, SMALL_PATH)
    port = processes.free_port()
    origin_url = f"http://127.0.0.1:{port}"
    origin = processes.spawn(
        [sys.executable, str(ORIGIN), "--root", str(files), "--port", str(port), "--secret", SECRET],
        cwd=ROOT, env=dict(os.environ), log=work / "origin.log",
    )  # fmt: skip
    processes.wait_http(origin_url + "/_demo/stats", 30, origin, work / "origin.log")
    params = {"OriginDomainName": "127.0.0.1", "OriginProtocolPolicy": "http-only", "OriginHttpPort": port,
              "OriginSecret": SECRET}  # fmt: skip
    extra = [arg for key, value in params.items() for arg in ("--param", f"{key}={value}")]
    cloud = localcloud_up.start(work / "state", work / "up.log", template=TEMPLATE, extra=extra)
    edge_url = cloud.endpoints["cdn"]["Distribution"]
    pid = cloud.proc.pid
    rows, sides = [], {}
    try:
        small = Surge(edge_url + SMALL_PATH, {})  # first, so both surges start from a fresh edge process
        small_growth = peak_rss_growth(pid, lambda: small.run(args.downloads, args.concurrency))
        _reset(origin_url)
        client_bytes, wall, latency = Surge(origin_url + PATH, {"X-Origin-Verify": SECRET}).run(
            args.downloads, args.concurrency
        )
        sides["origin direct"] = (_stats(origin_url), client_bytes, wall, latency)
        _reset(origin_url)
        rss_before = rss_kib(pid) / 1024
        outcome: dict = {}

        def surge() -> None:
            outcome["result"] = Surge(edge_url + PATH, {}).run(args.downloads, args.concurrency)

        growth = peak_rss_growth(pid, surge)
        client_bytes, wall, latency = outcome["result"]
        sides["through the edge"] = (_stats(origin_url), client_bytes, wall, latency)

    finally:
        cloud.stop()
        processes.stop(origin)
    for side, (stats, client_bytes, wall, latency) in sides.items():
        rows.append([
            side, str(stats["requests"]), f"{stats['bytesSent'] / 2**20:,.0f}", f"{client_bytes / 2**20:,.0f}",
            f"{wall:.1f}", f"{client_bytes / 2**20 / wall:,.0f}", f"{latency.p50:.0f} / {latency.p99:.0f}",
        ])  # fmt: skip
    direct, edge = sides["origin direct"], sides["through the edge"]
    offload = 1 - edge[0]["bytesSent"] / direct[0]["bytesSent"]
    direct_rate, edge_rate = direct[1] / direct[2], edge[1] / edge[2]
    print(f"\n{NAME}: {args.downloads} downloads of {args.size_mb} MB, {args.concurrency} at a time")
    header = ["side", "origin requests", "origin MiB", "client MiB", "wall s", "MiB/s", "p50 / p99 ms"]
    print(table(rows, header))
    print(f"offload ratio {offload:.4%}; edge/direct throughput {edge_rate / direct_rate:.2f}x; "
          f"edge RSS {rss_before:.0f} MiB before, peak +{growth:.1f} MiB during the surge "
          f"(+{small_growth:.1f} MiB for the same surge of a {args.small_mb} MB file)")  # fmt: skip
    return [
        Figure(NAME, "origin requests through the edge", float(edge[0]["requests"]), "", "goal 1"),
        Figure(NAME, "offload ratio", offload * 100, "%", "goal >= 99.9"),
        Figure(NAME, "edge throughput", edge_rate / 2**20, "MiB/s"),
        Figure(NAME, "origin direct throughput", direct_rate / 2**20, "MiB/s"),
        Figure(NAME, "ratio edge/direct throughput", edge_rate / direct_rate, "x", "goal >= 1"),
        Figure(NAME, "edge p50 per download", edge[3].p50, "ms"),
        Figure(NAME, "direct p50 per download", direct[3].p50, "ms"),
        Figure(NAME, f"edge peak RSS growth, {args.size_mb} MB file", growth, "MiB", "goal: independent of size"),
        Figure(NAME, f"edge peak RSS growth, {args.small_mb} MB file", small_growth, "MiB"),
    ]


if __name__ == "__main__":
    cli(run)
