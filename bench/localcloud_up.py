"""`python -m localcloud up` as a child process, as `make dev` runs it, until its gateway answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import processes

ROOT = Path(__file__).resolve().parent.parent
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass
class LocalCloudProcess:
    proc: subprocess.Popen
    endpoints: dict
    log: Path
    seconds_to_endpoints: float  # from spawn until endpoints.json was complete
    seconds_to_ready: float  # from spawn until the gateway answered too
    cpu_to_endpoints: float = 0.0  # CPU seconds (user + system) the up process had used by endpoints.json

    def api_url(self, suffix: str) -> str:
        """The base URL of the one API whose key ends with `suffix` (e.g. "HelloApi" or "TodosApi")."""
        matches = [url for key, url in self.endpoints.get("apis", {}).items() if key.split("/")[-1] == suffix]
        if len(matches) != 1:
            raise LookupError(f"expected one API named {suffix!r} in endpoints.json, got {self.endpoints.get('apis')}")
        return matches[0]

    def stop(self) -> None:
        processes.stop(self.proc)


def _read_endpoints(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("apis") is not None else None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (all its threads), from /proc; 0 where there is none.
    Less disturbed than wall time by other work on a shared machine."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(
    state_dir: Path,
    log: Path,
    *,
    template: Path | None = None,
    python: str = sys.executable,
    timeout: float = 180,
    extra: list[str] | None = None,
) -> LocalCloudProcess:
    """Spawn `up`, then poll (every 10 ms) for endpoints.json and for any HTTP answer from the first API."""
    args = [python, "-m", "localcloud", "up", "--state-dir", str(state_dir), "--quiet"]
    args += ["--port", "0", "--aws-port", "0", "--cdn-port", "0"]
    if template is not None:
        args += ["--template", str(template)]
    args += extra or []
    endpoints_file = state_dir / "endpoints.json"
    endpoints_file.unlink(missing_ok=True)
    start_time = time.monotonic()
    proc = processes.spawn(args, cwd=ROOT, env={**os.environ, **FAKE_AWS_ENV}, log=log)
    endpoints, to_endpoints, cpu = None, 0.0, 0.0
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"localcloud up exited with {proc.returncode}\n{processes.log_tail(log)}")
            if endpoints is None and (endpoints := _read_endpoints(endpoints_file)) is not None:
                to_endpoints = time.monotonic() - start_time
                cpu = cpu_seconds(proc.pid)
            if endpoints is not None:
                probe = next(iter(endpoints["apis"].values()), None) or endpoints.get("aws")
                if probe and _answers(probe):
                    return LocalCloudProcess(proc, endpoints, log, to_endpoints, time.monotonic() - start_time, cpu)
            if time.monotonic() - start_time > timeout:
                raise TimeoutError(f"localcloud up not ready within {timeout:.0f} s\n{processes.log_tail(log)}")
            time.sleep(0.01)
    except BaseException:
        processes.stop(proc)
        raise
