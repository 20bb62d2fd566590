"""What a function's worker may import, as on Lambda, and nothing more.

Lambda gives a Python function, in this order on `sys.path`:
  1. its package, /var/task: the CodeUri with its requirements.txt installed into it (`sam build`);
  2. its layers, extracted in order into /opt: /opt/python/lib/python3.X/site-packages, then /opt/python;
     a later layer's files win over an earlier one's;
  3. the runtime's own boto3 and botocore;
  4. the standard library.

Locally the package's own code stays where it is (so edits reload) and its installed requirements come
right after it; a layer built by SAM (`BuildMethod: python3.X`) is its source folder (what SAM copies
into python/) followed by its installed requirements; a layer as-is (already built, or `--layer`) puts
its `python/` folders on the path as Lambda does. A folder already built by `sam build` (it holds the
`*.dist-info` of what was installed) is used as it is. Workers start isolated (`python -I -S`), so the
dev venv's packages and the repository root are never on the path.
"""

from __future__ import annotations

import dataclasses
import platform
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from localcloud.lambdas.installer import Installer, InstallFailed
from localcloud.lambdas.interpreters import Interpreter, for_runtime, runtime_version
from localcloud.model import FunctionSpec

RUNTIME_REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements" / "lambda-runtime.txt"


class PackagingFailed(ValueError):
    """A function's package or layer could not be installed: it cannot run, as `sam build` would fail."""


class Packager:
    """Prepares FunctionSpecs (interpreter and import path), installing into the cache what is missing."""

    def __init__(
        self,
        installer: Installer,
        layer_builds: dict[Path, str] | None = None,
        say: Callable[[str], None] = lambda message: None,
    ):
        self.installer = installer
        self.layer_builds = {Path(folder).resolve(): method for folder, method in (layer_builds or {}).items()}
        self.say = say
        self.substituted: dict[tuple[str, str], list[str]] = defaultdict(list)  # (runtime, python) -> addresses
        self.unmounted: dict[Path, list[str]] = defaultdict(list)  # layer without python/ -> addresses
        self.foreign: dict[Path, list[str]] = {}  # built folder -> its native modules built for another machine
        self._lock = threading.Lock()  # installs one at a time (the cache has its own file locks)
        self._sdk_said = False

    def prepare(self, spec: FunctionSpec) -> FunctionSpec:
        """The spec with its interpreter and import path; raises PackagingFailed."""
        try:
            interpreter = for_runtime(spec.runtime)
        except LookupError as exc:
            raise PackagingFailed(f"{spec.address}: {exc}") from None
        with self._lock:
            try:
                package = self._package(spec, interpreter)
                opt = self._opt(spec, interpreter)
                runtime = self._runtime_sdk(interpreter)
            except InstallFailed as exc:
                raise PackagingFailed(f"{spec.address}: {exc}") from None
            if not interpreter.exact and spec.address not in self.substituted[(spec.runtime, interpreter.path)]:
                self.substituted[(spec.runtime, interpreter.path)].append(spec.address)
        path = [Path(spec.code_dir).absolute(), *package, *opt, *runtime]
        return dataclasses.replace(spec, python=interpreter.path, import_path=path)

    def notices(self) -> list[str]:
        """What the user must know, one line each: a runtime this machine lacks (its functions and what runs
        them instead), a layer Lambda would mount nothing of, a build made for the other architecture."""
        lines = []
        for (runtime, python), addresses in self.substituted.items():
            version = ".".join(map(str, runtime_version(runtime)))
            lines.append(
                f"{runtime} is not installed here, so {', '.join(addresses)} run on the nearest Python, {python}"
                f" (install Python {version}, e.g. with pyenv, for parity)"
            )
        for layer, addresses in self.unmounted.items():
            lines.append(
                f"layer {layer} has no python/ folder, so Lambda puts none of it on sys.path ({', '.join(addresses)});"
                " give it one, or `Metadata: BuildMethod: python3.X` for SAM to build it"
            )
        for folder, packages in self.foreign.items():
            if packages:
                lines.append(
                    f"{folder} was built for {other_architecture()}: its native modules ({', '.join(packages)}) cannot"
                    f" load on this {platform.machine()} machine; run up on the source template, which installs"
                    " for this machine"
                )
        return lines

    # -- the parts -------------------------------------------------------------------------------------

    def _package(self, spec: FunctionSpec, interpreter: Interpreter) -> list[Path]:
        code = Path(spec.code_dir)
        requirements = code / "requirements.txt"
        if _built(code):
            self._check_built(code)
            return []
        if not requirements.is_file():
            return []
        installed = self.installer.install(requirements, interpreter, _label(requirements))
        return [installed] if installed else []

    def _opt(self, spec: FunctionSpec, interpreter: Interpreter) -> list[Path]:
        """The layers as merged under /opt: every layer's site-packages, then every layer's python/ (the
        last layer first in each, as its files overwrite the earlier layers')."""
        site_packages: list[Path] = []
        python: list[Path] = []
        for layer in reversed([Path(folder).absolute() for folder in spec.layer_dirs]):
            method = self.layer_builds.get(layer.resolve(), "")
            if method.startswith("python") and not (layer / "python").is_dir():
                requirements = layer / "requirements.txt"
                installed = None
                if requirements.is_file():
                    installed = self.installer.install(requirements, interpreter, _label(requirements))
                python += [layer, *([installed] if installed else [])]
                continue
            nested = layer / "python" / "lib" / spec.runtime / "site-packages"
            if nested.is_dir():
                site_packages.append(nested)
            if (layer / "python").is_dir():
                python.append(layer / "python")
                self._check_built(layer / "python")
            elif spec.address not in self.unmounted[layer]:
                self.unmounted[layer].append(spec.address)
        return site_packages + python

    def _check_built(self, folder: Path) -> None:
        """Remember native modules `sam build` fetched for the other architecture (arm64 here on x86_64)."""
        if folder in self.foreign:
            return
        other = "aarch64" if platform.machine() == "x86_64" else "x86_64"
        modules = [path for depth in ("*", "*/*") for path in folder.glob(f"{depth}/*-{other}-*.so")]
        self.foreign[folder] = sorted({path.relative_to(folder).parts[0] for path in modules})

    def _runtime_sdk(self, interpreter: Interpreter) -> list[Path]:
        installed = self.installer.install(RUNTIME_REQUIREMENTS, interpreter, "the Lambda runtime's boto3")
        if not self._sdk_said:
            self._sdk_said = True
            self.say(f"functions get the Lambda runtime's SDK: {runtime_sdk()} ({_label(RUNTIME_REQUIREMENTS)})")
        return [installed] if installed else []


def runtime_sdk() -> str:
    """`boto3 1.40.4, botocore 1.40.4`: what requirements/lambda-runtime.txt pins."""
    pins = []
    for line in RUNTIME_REQUIREMENTS.read_text().splitlines():
        name, _, version = line.partition("==")
        if version and not line.startswith("#"):
            pins.append(f"{name.strip()} {version.strip()}")
    return ", ".join(pins)


def other_architecture() -> str:
    return "arm64" if platform.machine() == "x86_64" else "x86_64"


def _built(folder: Path) -> bool:
    """True for a package `sam build` made: its requirements are installed beside the code."""
    return any(folder.glob("*.dist-info"))


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
