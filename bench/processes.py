"""Child servers in their own process groups, all stopped on exit, Ctrl-C or SIGTERM.

Each child leads a new session so that stopping it also stops what it spawned (serverless-offline's
python worker, localcloud's lambda workers). Children also get SIGTERM if this process dies abruptly.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

_children: list[subprocess.Popen] = []
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(
    args: list[str], *, cwd: Path | str | None = None, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen:
    """Start `args` as a process-group leader, output to `log` (or discarded)."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 (the child owns it until exit)
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    finally:
        if log:
            out.close()
    _children.append(proc)
    return proc


def group_pids(proc: subprocess.Popen) -> list[int]:
    """Every live process in the child's process group (the child and what it spawned)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == proc.pid and fields[0] != "Z":
                pids.append(int(entry.name))
    return pids


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the whole group, then SIGKILL whatever is left after `grace` seconds."""
    if proc in _children:
        _children.remove(proc)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if proc.poll() is not None and not group_pids(proc):
                return
            time.sleep(0.05)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(1)


def stop_all() -> None:
    for proc in list(_children):
        stop(proc)


def _terminate(signum, _frame) -> None:
    raise SystemExit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C works even if the shell ignored SIGINT
for _sig in (signal.SIGTERM, signal.SIGHUP):
    if signal.getsignal(_sig) in (signal.SIG_DFL, None):
        signal.signal(_sig, _terminate)


def free_port() -> int:
    """A port free right now on 127.0.0.1, for servers that cannot bind port 0 themselves."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(log: Path | None, lines: int = 20) -> str:
    if not log or not log.exists():
        return ""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> float:
    """Seconds until `url` gives any HTTP response; fails early, with the log's tail, if `proc` exits."""
    start = time.monotonic()
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before {url} answered\n{log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                pass
            return time.monotonic() - start
        except urllib.error.HTTPError:
            return time.monotonic() - start
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() - start > timeout:
            raise TimeoutError(f"{url} did not answer within {timeout:.0f} s\n{log_tail(log)}")
        time.sleep(0.02)
