"""Which local Python runs a function's `Runtime: python3.X`: that version when pyenv or PATH has it, else
the nearest one installed (the caller tells the user, once, which functions run on what).

Found without running anything: pyenv's `versions/3.X.Y/bin/python3.X`, `python3.X` on PATH (pyenv shims
left out: a shim fails for a version that is not active), and this process's own interpreter.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")
_PYENV_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")  # final releases only


@dataclass(frozen=True)
class Interpreter:
    runtime: str  # what the template asked for, "python3.14"
    version: tuple[int, int]  # what runs it
    path: str

    @property
    def exact(self) -> bool:
        return runtime_version(self.runtime) == self.version

    @property
    def name(self) -> str:
        return f"python{self.version[0]}.{self.version[1]}"


def runtime_version(runtime: str) -> tuple[int, int]:
    match = _RUNTIME.match(runtime)
    if match is None:
        raise ValueError(f"runtime {runtime!r} cannot run locally (Python runtimes only)")
    return int(match.group(1)), int(match.group(2))


def for_runtime(runtime: str) -> Interpreter:
    """The interpreter of that runtime's version, or the nearest installed (the newer one on a tie)."""
    wanted = runtime_version(runtime)
    for distance in range(0, 20):
        for minor in (wanted[1] + distance, wanted[1] - distance):
            path = find((wanted[0], minor)) if minor >= 0 else None
            if path:
                return Interpreter(runtime, (wanted[0], minor), path)
    raise LookupError(f"no Python {wanted[0]} interpreter found for {runtime}")


def installed() -> dict[tuple[int, int], str]:
    """Every Python 3 found, by (major, minor)."""
    return {(3, minor): path for minor in range(6, 30) if (path := find((3, minor)))}


@functools.cache
def find(version: tuple[int, int]) -> str | None:
    """This process's own interpreter for its version, else pyenv's newest release of it, else PATH's."""
    if version == sys.version_info[:2]:
        return os.path.realpath(sys.executable)  # a venv's python links to it, and -I -S runs it alike
    name = f"python{version[0]}.{version[1]}"
    root = _pyenv_versions()
    for release in _pyenv_releases(root):
        if release[:2] == version:
            binary = root / ".".join(map(str, release)) / "bin" / name
            if os.access(binary, os.X_OK):
                return str(binary)
    search = os.pathsep.join(
        folder for folder in os.environ.get("PATH", "").split(os.pathsep) if folder and "shims" not in folder
    )
    return shutil.which(name, path=search)


def _pyenv_versions() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"


@functools.cache
def _pyenv_releases(root: Path) -> list[tuple[int, ...]]:
    """pyenv's final releases, newest first."""
    try:
        names = os.listdir(root)
    except OSError:
        return []
    found = [tuple(int(part) for part in match.groups()) for name in names if (match := _PYENV_VERSION.match(name))]
    return sorted(found, reverse=True)
