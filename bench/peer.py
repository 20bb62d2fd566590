"""serverless-offline, the peer our request latency is compared with: installed on demand, run warm.

serverless-offline 13.x runs a Python handler through `python-runner/PythonRunner.js`: one long-lived
`python3 -u invoke.py <module> <handler>` per warm function instance, fed one JSON event per stdin line.
`LambdaFunctionPool.get()` reuses an IDLE instance unless `reloadHandler` is set, and the pool's cleaner
stops instances idle for `terminateIdleLambdaTime` seconds. So `useDocker: false`, `reloadHandler: false`
and a long `terminateIdleLambdaTime` (bench/peer/serverless.yml) keep one warm Python process. The runner
spawns `runtime.split(".")[0]` ("python3") on a PATH that starts with `$VIRTUAL_ENV/bin`, which is how it is
pointed at the project venv's Python 3.13.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import processes

BENCH = Path(__file__).resolve().parent
PEER_DIR = BENCH / "peer"
INSTALL_DIR = BENCH / ".peer"
PACKAGES = ("serverless", "serverless-offline")


class PeerUnavailable(RuntimeError):
    """The peer cannot run here (no node/npm, registry unreachable...): its side of a bench is skipped."""


@dataclass
class Peer:
    proc: subprocess.Popen
    base_url: str
    log: Path
    versions: dict[str, str]
    python: str  # what `python3` is on the peer's PATH, and its version

    def python_workers(self) -> list[int]:
        """PIDs of the peer's warm Python handler processes."""
        return [
            pid
            for pid in processes.group_pids(self.proc)
            if "invoke.py" in (cmd := processes.cmdline(pid)) and not cmd.startswith("/bin/sh")
        ]

    def stop(self) -> None:
        processes.stop(self.proc)


def installed_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        manifest = INSTALL_DIR / "node_modules" / name / "package.json"
        if manifest.exists():
            versions[name] = json.loads(manifest.read_text())["version"]
    return versions


def _up_to_date() -> bool:
    lock = INSTALL_DIR / "package-lock.json"
    return (
        lock.exists()
        and filecmp.cmp(lock, PEER_DIR / "package-lock.json", shallow=False)
        and len(installed_versions()) == len(PACKAGES)
    )


def ensure_installed(timeout: float = 600) -> dict[str, str]:
    """`npm ci` the pinned peer into bench/.peer unless it is already there; returns installed versions."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise PeerUnavailable(f"{tool} is not on PATH")
    if not _up_to_date():
        INSTALL_DIR.mkdir(exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(PEER_DIR / name, INSTALL_DIR / name)
        print(f"peer: npm ci into {INSTALL_DIR.relative_to(BENCH.parent)} (once)...", flush=True)
        try:
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=INSTALL_DIR,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise PeerUnavailable(f"npm ci took more than {timeout:.0f} s (registry unreachable?)") from exc
        if done.returncode != 0:
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
            raise PeerUnavailable(f"npm ci failed (registry unreachable?):\n{tail}")
    return installed_versions()


def start(python_bin_dir: Path, log: Path, timeout: float = 60) -> Peer:
    """Start serverless-offline on free ports and wait until its route answers."""
    versions = ensure_installed()
    python3 = python_bin_dir / "python3"
    if not python3.exists():
        raise PeerUnavailable(f"no python3 in {python_bin_dir} for the peer's Python runner")
    version = subprocess.run(
        [str(python3), "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    http_port, lambda_port = processes.free_port(), processes.free_port()
    venv = python_bin_dir.parent
    env = {
        **os.environ,
        "VIRTUAL_ENV": str(venv),
        "PATH": f"{python_bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        "SLS_INTERACTIVE_SETUP_DISABLE": "1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    cli = INSTALL_DIR / "node_modules" / "serverless" / "bin" / "serverless.js"
    args = ["node", str(cli), "offline", "start", "--host", "127.0.0.1"]
    args += ["--httpPort", str(http_port), "--lambdaPort", str(lambda_port)]
    proc = processes.spawn(args, cwd=PEER_DIR, env=env, log=log)
    base_url = f"http://127.0.0.1:{http_port}"
    try:
        processes.wait_http(base_url + "/hello", timeout, proc, log)
    except BaseException:
        processes.stop(proc)
        raise
    return Peer(proc, base_url, log, versions, f"{python3} ({version})")
