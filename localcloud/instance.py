"""One running localcloud per state dir, and what the CLI knows about it.

`up` holds an exclusive `flock` on `<state-dir>/localcloud.lock` for its whole life. The kernel drops
the lock when the process dies, even on SIGKILL, so a stale lock never blocks a restart. A second `up`
on the same state dir therefore fails before it touches anything there (not endpoints.json, not the
saved state) and says where the running one is.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

LOCK_NAME = "localcloud.lock"
ENDPOINTS_NAME = "endpoints.json"


class AlreadyRunning(Exception):
    """Another `up` holds this state dir."""


class PortInUse(Exception):
    """A port `up` was asked to listen on is taken."""


class InstanceLock:
    def __init__(self, state_dir: Path):
        self.state_dir = Path(state_dir)
        self.path = self.state_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the state dir, or raise AlreadyRunning with a message that says what to do instead."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise AlreadyRunning(already_running_message(self.state_dir)) from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)  # closing drops the flock; the file stays, empty locks are harmless
            self._fd = None


def already_running_message(state_dir: Path) -> str:
    pid = _lock_owner(state_dir)
    endpoints = read_endpoints(state_dir)
    where = ""
    if endpoints:
        where = f": console {endpoints.get('console')}, AWS endpoint {endpoints.get('aws')}"
    return (
        f"localcloud is already running for state dir {state_dir}" + (f" (pid {pid})" if pid else "") + f"{where}.\n"
        "Use it (python -m localcloud invoke | outbox | reset), stop it (Ctrl-C in its terminal), "
        "or start another one beside it with its own ports and state:\n"
        f"  python -m localcloud up --state-dir {state_dir}-2 --port 0 --aws-port 0 --cdn-port 0"
    )


def check_ports(host: str, ports: dict[str, int]) -> None:
    """Raise PortInUse naming the first taken port (0 means any, never taken)."""
    for flag, port in ports.items():
        if not port:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                raise PortInUse(port_in_use_message(host, flag, port)) from None


def port_in_use_message(host: str, flag: str, port: int) -> str:
    return (
        f"port {port} on {host} ({flag}) is already in use: another localcloud with a different --state-dir, "
        "LocalStack (4566 is its default too) or another program.\n"
        f"Pick other ports: {flag} 0 lets the system choose; endpoints.json then lists the URLs."
    )


def read_endpoints(state_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((Path(state_dir) / ENDPOINTS_NAME).read_text())
    except (OSError, ValueError):
        return None


def running_endpoints(state_dir: Path) -> dict[str, Any] | None:
    """The endpoints of the instance serving this state dir, if one answers."""
    endpoints = read_endpoints(state_dir)
    if not endpoints or "console" not in endpoints:
        return None
    url = endpoints["console"].removesuffix("/_local") + "/_local/control/endpoints"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return endpoints


def _lock_owner(state_dir: Path) -> str:
    try:
        return (Path(state_dir) / LOCK_NAME).read_text().strip()
    except OSError:
        return ""
