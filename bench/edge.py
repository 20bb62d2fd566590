"""The local CloudFront against its own origin, in one run:

- a cache hit through the edge vs the same object fetched straight from the origin (keep-alive clients,
  alternating), p50/p99 and the ratio;
- 200 concurrent first requests for one object (the origin answers after 0.3 s) and how many reached
  the origin (goal: 1);
- the edge process's peak RSS growth while a 100 MB and then a 1 GB object stream through it (a miss
  into the disk cache, then a hit), and their ratio (goal: flat, about 1).

The origin is a small HTTP server in this process: `/<name>-sizeN.bin` is N deterministic bytes, written
in 1 MiB blocks and never held whole; `/slow/...` waits 0.3 s before answering; it counts requests.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import localcloud_up
import processes  # noqa: F401 (children die with this process)
from http_client import KeepAliveClient
from stats import Figure, Latency, cli, latency_table

BENCH = Path(__file__).resolve().parent
TEMPLATE = BENCH / "fixtures" / "edge" / "template.yaml"
NAME = "edge"
BLOCK = bytes(i % 251 for i in range(251 * 4096))


class Origin:
    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        origin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with origin.lock:
                    origin.counts[self.path] += 1
                if self.path.startswith("/slow/"):
                    time.sleep(0.3)
                size = int(self.path.rsplit("-size", 1)[1].split(".")[0]) if "-size" in self.path else 2048
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(size))
                self.send_header("Cache-Control", "max-age=3600")
                self.end_headers()
                sent = 0
                while sent < size:
                    piece = BLOCK[: min(len(BLOCK), size - sent)]
                    self.wfile.write(piece)
                    sent += len(piece)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def peak_rss_growth(pid: int, work) -> float:
    """MiB the process's resident set grew by, at its peak, while `work()` ran (sampled every 10 ms)."""
    start = peak = rss_kib(pid)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.01):
            peak = max(peak, rss_kib(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return (peak - start) / 1024


def stream(url: str) -> int:
    import urllib.request

    received = 0
    with urllib.request.urlopen(url, timeout=300) as response:
        while chunk := response.read(1 << 20):
            received += len(chunk)
    return received


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="hit/direct pairs (default 1000)")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--viewers", type=int, default=200, help="concurrent first requests (default 200)")
    parser.add_argument("--small-mb", type=int, default=100)
    parser.add_argument("--large-mb", type=int, default=1024)
    args = parser.parse_args(argv)

    origin = Origin()
    work = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    params = ["--param", f"OriginPort={origin.port}"]
    cloud = localcloud_up.start(work / "state", work / "up.log", template=TEMPLATE, extra=params)
    edge_url = cloud.endpoints["cdn"]["Cdn"]
    try:
        edge, direct = KeepAliveClient(edge_url), KeepAliveClient(f"http://127.0.0.1:{origin.port}")
        path = "/object-size2048.bin"
        edge.get(path)
        sides = {"edge hit": Latency(), "origin direct": Latency()}
        for i in range(args.warmup + args.requests):
            order = [("edge hit", edge), ("origin direct", direct)][:: 1 if i % 2 else -1]
            for name, client in order:
                status, body, ms = client.get(path)
                assert status == 200 and len(body) == 2048, (name, status)
                if i >= args.warmup:
                    sides[name].samples.append(ms)
        print(f"\n{NAME}: a 2 KiB object, {args.requests} requests per side, alternating")
        print(latency_table(sides, baseline="origin direct"))

        slow = "/slow/collapse-size65536.bin"
        threads = [threading.Thread(target=stream, args=(edge_url + slow,)) for _ in range(args.viewers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        fetches = origin.counts[slow]
        print(f"\n{args.viewers} concurrent first requests: {fetches} origin fetch(es)")

        growth = {}
        for mb in (args.small_mb, args.large_mb):
            big = f"/big-size{mb * 1024 * 1024}.bin"
            both = lambda big=big: (stream(edge_url + big), stream(edge_url + big))  # noqa: E731
            start_mib = rss_kib(cloud.proc.pid) / 1024
            growth[mb] = peak_rss_growth(cloud.proc.pid, both)
            fetched = origin.counts[big]
            print(f"{mb} MB, miss then hit: RSS {start_mib:.0f} MiB, peak +{growth[mb]:.1f} MiB, {fetched} fetch")
    finally:
        cloud.stop()
    hit, straight = sides["edge hit"], sides["origin direct"]
    small, large = growth[args.small_mb], growth[args.large_mb]
    return [
        Figure(NAME, "cache hit p50", hit.p50, "ms"),
        Figure(NAME, "origin direct p50", straight.p50, "ms"),
        Figure(NAME, "ratio hit/direct p50", hit.p50 / straight.p50, "x"),
        Figure(NAME, f"origin fetches for {args.viewers} concurrent misses", float(fetches), "", "goal 1"),
        Figure(NAME, f"peak RSS growth, {args.small_mb} MB object", small, "MiB"),
        Figure(NAME, f"peak RSS growth, {args.large_mb} MB object", large, "MiB", "goal: independent of size"),
    ]


if __name__ == "__main__":
    cli(run)
