"""The `sam` commands a Makefile target would run, read from `make -n`: nothing is built or deployed.

A dry run prints each recipe line with every make variable expanded, so a test can check the exact stack,
template, build folder and parameters a `make deploy` would use without AWS, Docker or sam itself.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The caller's shell must not choose for the test: make reads ENV and SERVICE from the environment too.
_INHERITED = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "ENV", "SERVICE", "APP", "REGION", "DEPLOY_FLAGS", "PARAMS"}


def make_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _INHERITED}


def run_make(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # In a dry run the venv stamps count as up to date: after a requirements change, make would
    # otherwise print the setup recipe too.
    fresh = ["-o", ".venv/.ready", "-o", ".venv-sam/.ready"] if "-n" in args else []
    return subprocess.run(
        ["make", "--no-print-directory", *fresh, *args],
        cwd=cwd,
        env=make_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass(frozen=True)
class SamCall:
    """One `sam <command> --option value...` line; an option maps to the values that follow it."""

    command: str
    options: dict[str, tuple[str, ...]]

    def one(self, option: str) -> str:
        values = self.options.get(option)
        assert values is not None and len(values) == 1, f"{option}: {values}"
        return values[0]

    def pairs(self, option: str) -> dict[str, str]:
        """`K=V` values of an option (e.g. --parameter-overrides), as a dict; a key given twice fails."""
        values = self.options.get(option, ())
        out = dict(value.split("=", 1) for value in values)
        assert len(out) == len(values), f"{option} repeats a key: {values}"
        return out


def parse_sam_line(line: str) -> SamCall | None:
    tokens = shlex.split(line)
    starts = [i for i, token in enumerate(tokens) if Path(token).name == "sam"]
    if not starts:
        return None
    command, *rest = tokens[starts[0] + 1 :]
    options: dict[str, list[str]] = {}
    current = None
    for token in rest:
        if token.startswith("--"):
            current = token
            assert current not in options, f"{current} given twice in {line!r}"
            options[current] = []
        else:
            assert current is not None, f"a positional argument in {line!r}"
            options[current].append(token)
    return SamCall(command, {k: tuple(v) for k, v in options.items()})


@cache
def dry_run(target: str, service: str | None = None, env: str | None = None) -> tuple[str, ...]:
    """The lines `make -n TARGET [SERVICE=..] [ENV=..]` prints (it fails the test when make fails)."""
    variables = [f"SERVICE={service}"] * bool(service) + [f"ENV={env}"] * bool(env)
    result = run_make("-n", target, *variables)
    assert result.returncode == 0, result.stderr
    return tuple(result.stdout.splitlines())


def sam_call(target: str, service: str | None = None, env: str | None = None) -> SamCall:
    """The one sam command of a target."""
    calls = [call for line in dry_run(target, service, env) if (call := parse_sam_line(line))]
    assert len(calls) == 1, calls
    return calls[0]


def make_for_real(checkout: Path, target: str, *variables: str) -> subprocess.CompletedProcess:
    """`make TARGET` (not a dry run) in a `checkout` (tests/tooling/conftest.py), with sam replaced by a
    script that only records its arguments in `sam-calls`."""
    skip_setup = ["-o", ".venv/.ready", "-o", ".venv-sam/.ready"]
    return run_make(*skip_setup, target, f"SAM={checkout / 'fake-sam'}", *variables, cwd=checkout)
