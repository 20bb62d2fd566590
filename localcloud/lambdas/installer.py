"""Requirements installed into a flat folder, as `sam build` installs a function's or a layer's, once: the
folder is cached under a key of the requirements' content and the Python that imports them, so a second
`up` (or another test session, or another checkout) installs nothing.

uv (`uv pip install --target`) does the install when it is there, pip otherwise. Wheels are the host's
(this machine runs the code), not the template's architecture. The cache is `$LOCALCLOUD_CACHE_DIR`, else
`$XDG_CACHE_HOME/localcloud`, else `~/.cache/localcloud`; deleting it is always safe.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from localcloud.lambdas.interpreters import Interpreter

CACHE_ENV = "LOCALCLOUD_CACHE_DIR"
MARKER = ".localcloud-installed"
INSTALL_TIMEOUT_SECONDS = 900
_FORMAT = "1"  # bump when the layout of an installed folder changes
# pip's settings from the environment, for uv, which reads neither pip's environment nor its config files
_PIP_TO_UV = {
    "PIP_INDEX_URL": "UV_INDEX_URL",
    "PIP_EXTRA_INDEX_URL": "UV_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS": "UV_FIND_LINKS",
    "PIP_CERT": "SSL_CERT_FILE",
}


class InstallFailed(Exception):
    """The installer exited non-zero; the message ends with what it printed last."""


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "localcloud"


def requirements_text(path: Path) -> str | None:
    """The requirements a file lists, included files (`-r`, `-c`) inlined; None when it lists nothing."""
    lines: list[str] = []
    _collect(path, lines, set())
    return "\n".join(lines) if any(not line.startswith("#") for line in lines) else None


def _collect(path: Path, lines: list[str], seen: set[Path]) -> None:
    path = path.resolve()
    if path in seen or not path.is_file():
        return
    seen.add(path)
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        option, _, rest = line.partition(" ")
        if option in ("-r", "--requirement", "-c", "--constraint"):
            lines.append(f"# {option} {rest.strip()}")
            _collect(path.parent / rest.strip(), lines, seen)
        else:
            lines.append(line)


def uv_binary() -> str | None:
    try:
        import uv  # the pinned one in the dev venv

        return uv.find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


class Installer:
    """Installs requirement files into cached folders; `installs` counts the installs that really ran."""

    def __init__(self, root: Path | None = None, say: Callable[[str], None] = lambda message: None):
        self.root = Path(root) if root else cache_root()
        self.say = say
        self.installs = 0
        self._uv = uv_binary()

    @property
    def tool(self) -> str:
        return "uv" if self._uv else "pip"

    def install(self, requirements: Path, interpreter: Interpreter, label: str) -> Path | None:
        """The folder holding what `requirements` lists for `interpreter`, installed if not cached yet.
        None when the file lists nothing."""
        text = requirements_text(requirements)
        if text is None:
            return None
        machine = f"{sys.platform}-{platform.machine()}"
        key = hashlib.sha256(f"{_FORMAT}\n{interpreter.name}\n{machine}\n{text}".encode()).hexdigest()[:24]
        folder = self.root / "packages" / f"{interpreter.name}-{key}"
        if (folder / MARKER).exists():
            return folder
        folder.parent.mkdir(parents=True, exist_ok=True)
        with _locked(folder.with_name(folder.name + ".lock")):
            if (folder / MARKER).exists():  # another process installed it while we waited
                return folder
            self.say(f"installing {label} for {interpreter.name} with {self.tool} (cached in {folder.parent})")
            partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
            shutil.rmtree(partial, ignore_errors=True)
            started = time.monotonic()
            self._run(requirements, interpreter, partial)
            self.installs += 1
            record = {"requirements": text, "python": interpreter.path, "tool": self.tool,
                      "seconds": round(time.monotonic() - started, 2)}  # fmt: skip
            (partial / MARKER).write_text(json.dumps(record, indent=2))
            shutil.rmtree(folder, ignore_errors=True)  # an unfinished one (no marker)
            os.replace(partial, folder)
        return folder

    def _run(self, requirements: Path, interpreter: Interpreter, target: Path) -> None:
        file = str(requirements.resolve())
        if self._uv:
            command = [self._uv, "pip", "install", "--target", str(target), "--python", interpreter.path,
                       "--compile-bytecode", "--quiet", "--no-progress", "-r", file]  # fmt: skip
        else:
            command = [interpreter.path, "-m", "pip", "install", "--target", str(target), "--quiet",
                       "--disable-pip-version-check", "--no-warn-script-location", "-r", file]  # fmt: skip
        env = dict(os.environ)
        for pip_name, uv_name in _PIP_TO_UV.items():
            if pip_name in env and uv_name not in env:
                env[uv_name] = env[pip_name]
        try:
            done = subprocess.run(
                command, cwd=requirements.parent, env=env, capture_output=True, text=True,
                timeout=INSTALL_TIMEOUT_SECONDS, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(target, ignore_errors=True)
            raise InstallFailed(f"{self.tool} could not install {requirements}: {exc}") from None
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-12:])
            raise InstallFailed(f"{self.tool} could not install {requirements}:\n{tail}")
        target.mkdir(parents=True, exist_ok=True)  # requirements that resolve to nothing at all


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
