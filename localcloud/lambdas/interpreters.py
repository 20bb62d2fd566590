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
    found = installed()
    if wanted in found:
        return Interpreter(runtime, wanted, found[wanted])
    same_major = [version for version in found if version[0] == wanted[0]] or list(found)
    if not same_major:
        raise LookupError(f"no Python interpreter found for {runtime}")
    nearest = min(same_major, key=lambda version: (abs(version[1] - wanted[1]), -version[1]))
    return Interpreter(runtime, nearest, found[nearest])


@functools.cache
def installed() -> dict[tuple[int, int], str]:
    """Every Python 3 found, by (major, minor): this process's own first, then pyenv's, then PATH's."""
    # a venv's python is a link to its base interpreter, which is what runs under -I -S anyway
    found: dict[tuple[int, int], str] = {sys.version_info[:2]: os.path.realpath(sys.executable)}
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        names = sorted(os.listdir(root), key=_release_key, reverse=True)
    except OSError:
        names = []
    for name in names:
        match = _PYENV_VERSION.match(name)
        if match is None:
            continue
        version = int(match.group(1)), int(match.group(2))
        binary = root / name / "bin" / f"python{version[0]}.{version[1]}"
        if version not in found and os.access(binary, os.X_OK):
            found[version] = str(binary)
    search = os.pathsep.join(
        folder for folder in os.environ.get("PATH", "").split(os.pathsep) if folder and "shims" not in folder
    )
    for minor in range(6, 30):
        if (3, minor) in found:
            continue
        binary = shutil.which(f"python3.{minor}", path=search)
        if binary:
            found[(3, minor)] = binary
    return found


def _release_key(name: str) -> tuple[int, ...]:
    match = _PYENV_VERSION.match(name)
    return tuple(int(part) for part in match.groups()) if match else ()
