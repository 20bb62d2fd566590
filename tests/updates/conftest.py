"""One localcloud on the updates template, its distribution fronting the demo origin (in this process),
as `make dev` runs them: the origin domain, port, protocol and secret arrive as template parameters."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from services.updates.demo.origin import DemoOrigin
from tests.support.localcloud import ROOT, LocalCloudProcess

SECRET = "edge-only-7f3a"
MANIFEST_TTL = 3
ERROR_TTL = 2
ORIGIN_PATH = "/downloads"  # the origin serves its files under a folder, as many existing apps do


def pattern(size: int, seed: str) -> bytes:
    """`size` deterministic bytes that differ per seed (so a wrong offset shows)."""
    block = hashlib.sha256(seed.encode()).digest() * 2048
    return (block * (size // len(block) + 1))[:size]


@dataclass
class UpdatesCloud:
    cloud: LocalCloudProcess
    origin: DemoOrigin
    files: Path  # what the origin serves at the distribution's root
    url: str

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return requests.get(self.url + path, **kwargs)

    def put(self, path: str, body: bytes) -> bytes:
        target = self.files / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        return body

    def origin_stats(self) -> dict:
        return requests.get(self.origin.url + "/_demo/stats", timeout=10).json()

    def origin_count(self, path: str) -> int:
        return self.origin_stats()["byPath"].get(ORIGIN_PATH + path, 0)

    def wait_cached(self, path: str, timeout: float = 15) -> None:
        """Until the edge holds `path` whole: a viewer can finish reading a body a moment before the edge
        commits it, and a request in that moment is (rightly) a Miss collapsed onto the fill."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (summary,) = requests.get(self.cloud.base + "/_local/api/edge", timeout=10).json()
            if any(entry["path"] == path for entry in summary["cached"]):
                return
            time.sleep(0.02)
        raise AssertionError(f"{path} was not cached within {timeout} s")

    def control(self, action: str, **query: str) -> None:
        requests.post(f"{self.origin.url}/_demo/{action}", params=query, timeout=10).raise_for_status()


@pytest.fixture(scope="module")
def updates(tmp_path_factory):
    root = tmp_path_factory.mktemp("origin")
    files = root / ORIGIN_PATH.lstrip("/")
    files.mkdir()
    origin = DemoOrigin(root, secret=SECRET).start()
    state = tmp_path_factory.mktemp("updates")
    params = {
        "OriginDomainName": "127.0.0.1",
        "OriginProtocolPolicy": "http-only",
        "OriginHttpPort": origin.port,
        "OriginPath": ORIGIN_PATH,
        "OriginSecret": SECRET,
        "ManifestTtl": MANIFEST_TTL,
        "ErrorCachingMinTtl": ERROR_TTL,
        "EnableLogging": "true",
    }
    extra = tuple(arg for key, value in params.items() for arg in ("--param", f"{key}={value}"))
    template = ROOT / "services" / "updates" / "template.yaml"
    cloud = LocalCloudProcess(template, state, state / "log.txt", extra=extra).start()
    try:
        assert cloud.endpoints["errors"] == []
        yield UpdatesCloud(cloud, origin, files, cloud.endpoints["cdn"]["Distribution"])
    finally:
        cloud.stop()
        origin.close()
