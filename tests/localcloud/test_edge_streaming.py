"""A 1 GB object streams through the local edge from origin to viewer and into its disk cache, and is
served again from there, while the edge's memory stays flat: nothing holds the body whole."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from tests.localcloud.edge_support import edge
from tests.support.origin import pattern

pytestmark = pytest.mark.localcloud
__all__ = ["edge"]

GIB = 1024**3
BLOCK = pattern(0, 251 * 4096)  # the body repeats every 251 bytes


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class PeakRss:
    """Samples a process's resident memory every 20 ms while it runs."""

    def __init__(self, pid: int):
        self.pid = pid
        self.start = rss_kib(pid)
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_kib(self.pid))

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def download(edge, path: str) -> tuple[int, str, bool]:
    """(bytes received, X-Cache, whether every byte matched the origin's pattern)."""
    response = edge.get(path, stream=True, timeout=120)
    received, correct = 0, True
    for chunk in response.iter_content(512 * 1024):  # shorter than BLOCK, so one window covers it
        offset = received % 251
        if chunk != BLOCK[offset : offset + len(chunk)]:
            correct = False
        received += len(chunk)
    return received, response.headers["X-Cache"], correct


@pytest.mark.timeout(300)
def test_a_1_gb_object_streams_through_with_flat_memory_and_is_then_served_from_disk(edge):
    path = f"/legacy/huge-size{GIB}-{uuid.uuid4().hex[:6]}.bin"
    started = time.monotonic()
    with PeakRss(edge.cloud.proc.pid) as memory:
        first = download(edge, path)
        second = download(edge, path)
    assert first == (GIB, "Miss from cloudfront", True)
    assert second == (GIB, "Hit from cloudfront", True)
    assert edge.origin.count(path) == 1
    grown_mib = (memory.peak - memory.start) / 1024
    assert grown_mib < 100, f"the edge grew by {grown_mib:.0f} MiB while streaming 2 GiB"
    print(f"2 x 1 GiB through the edge in {time.monotonic() - started:.1f} s, peak RSS +{grown_mib:.0f} MiB")
