"""Cold start of every API function: import + init of its handler from the `sam build` artifacts, against a
bare Powertools `APIGatewayRestResolver` + `Logger` handler on the same shared layer, in the same run.

Each sample is a fresh `python3.13 -I -S` (the Lambda runtime's version, no site-packages) whose sys.path
is what Lambda gives the function: its package, then its layers as mounted under /opt, then a stand-in
for /var/runtime (this venv's boto3 and botocore, linked). Before the clock starts, the child imports what
the Lambda runtime's bootstrap has already loaded when it imports a handler. Every build is compiled to
hash-based .pyc first, as `make build` does, so no sample compiles anything. The targets are run in a
shuffled order each round, so load on the machine falls on all of them alike. Goal: median ≤ 1.1x the
baseline's. The build is for arm64: off an arm64 machine, a compiled extension imported at cold start
would be measured on its pure-Python fallback (none is imported at cold start today). `--imports` also
lists, per function, the modules the baseline does not import and their own time under `-X importtime`:
where to look when a ratio is high.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from built_functions import ROOT, BuiltFunction, api_functions
from stats import Figure, cli, median, percentile, table

NAME = "cold start (import + init)"
GOAL = 1.1
BASELINE = ROOT / "bench" / "fixtures" / "cold_start_baseline"
# What awslambdaric's bootstrap has imported before it imports the handler.
RUNTIME_PRELOAD = "json, logging, decimal, http.client, traceback, warnings"
# /var/runtime holds boto3 and its dependencies; functions import botocore from there.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
CHILD = (
    "import sys, time, importlib\n"
    f"import {RUNTIME_PRELOAD}\n"
    "sys.path[:0] = sys.argv[1].split(':')\n"
    "module, _, attr = sys.argv[2].rpartition('.')\n"
    "t0, c0 = time.perf_counter_ns(), time.process_time_ns()\n"
    "getattr(importlib.import_module(module), attr)\n"
    "print((time.perf_counter_ns() - t0) / 1e6, (time.process_time_ns() - c0) / 1e6)\n"
)


@dataclass(frozen=True)
class Sample:
    wall: float  # ms
    cpu: float  # ms of the child's CPU time


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--build-dir", type=Path, help="a root build (`make build`: .aws-sam/root/build); default: build one"
    )
    parser.add_argument("--runs", type=int, default=40, help="samples per function and for the baseline (default 40)")
    parser.add_argument("--imports", action="store_true", help="also list each function's imports beyond the baseline")
    args = parser.parse_args(argv)

    python = python313()
    build_dir = args.build_dir or sam_build()
    compile_bytecode(python, build_dir)
    functions = api_functions(build_dir)
    if not functions:
        raise SystemExit(f"no API function in {build_dir}")
    work = Path(tempfile.mkdtemp(prefix="bench-cold-start-"))
    try:
        baseline = baseline_function(python, functions[0], work)
        runtime = runtime_dir(work)
        targets = {"baseline": baseline, **{f.address: f for f in functions}}
        samples = measure(python, targets, runtime, args.runs)
        if args.imports:
            print_extra_imports(python, targets, runtime)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(build_dir, functions, samples)


def python313() -> str:
    found = subprocess.run([str(ROOT / "scripts" / "find-python313")], capture_output=True, text=True)
    if found.returncode != 0:
        raise SystemExit(found.stderr.strip())
    return found.stdout.strip()


def sam_build() -> Path:
    """The root template built as `make build` builds it, into a folder of this bench's own."""
    build_dir = ROOT / ".aws-sam" / "bench" / "build"
    sam = ROOT / ".venv-sam" / "bin" / "sam"
    if not sam.exists():
        raise SystemExit(f"{sam} is missing: run `make setup`, or pass --build-dir")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "SAM_CLI_TELEMETRY": "0"}
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    command = [str(sam), "build", "--cached", "--cache-dir", str(build_dir.parent / "cache")]
    command += ["--build-dir", str(build_dir), "--template-file", str(ROOT / "template.yaml")]
    print("building:", " ".join(command[1:]), flush=True)
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sam build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return build_dir


def compile_bytecode(python: str, directory: Path) -> None:
    """Hash-based .pyc by the runtime's Python, as `make build` writes them."""
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "checked-hash", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def baseline_function(python: str, like: BuiltFunction, work: Path) -> BuiltFunction:
    code = work / "baseline"
    shutil.copytree(BASELINE, code, ignore=shutil.ignore_patterns("__pycache__"))
    compile_bytecode(python, code)
    shared = tuple(d for d in like.layer_dirs if (d / "python" / "aws_lambda_powertools").is_dir())
    if not shared:
        raise SystemExit(f"{like.address} has no layer with Powertools to measure the baseline on")
    env = {"POWERTOOLS_SERVICE_NAME": "baseline"}
    return BuiltFunction("baseline", "app.handler", code, shared[:1], env)


def runtime_dir(work: Path) -> Path:
    runtime = work / "runtime"
    runtime.mkdir()
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SystemExit(f"{name} is not installed here; it stands in for Lambda's /var/runtime")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (runtime / source.name).symlink_to(source)
    return runtime


def sys_path(function: BuiltFunction, runtime: Path) -> str:
    """As Lambda orders it: /var/task, then each layer's python/lib/python3.13/site-packages and python/."""
    paths = [function.code_dir]
    for layer in function.layer_dirs:
        paths += [
            p for p in (layer / "python" / "lib" / "python3.13" / "site-packages", layer / "python") if p.is_dir()
        ]
    return ":".join(str(p) for p in [*paths, runtime])


def child_env(function: BuiltFunction, runtime: Path) -> dict[str, str]:
    name = function.address.rsplit("/", 1)[-1]
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        "LAMBDA_RUNTIME_DIR": str(runtime),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_SESSION_TOKEN": "bench",
        **function.environment,
    }


def sample(python: str, function: BuiltFunction, runtime: Path, *flags: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [python, "-I", "-S", *flags, "-c", CHILD, sys_path(function, runtime), function.handler],
        cwd=function.code_dir,
        env=child_env(function, runtime),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise SystemExit(f"{function.address}: importing {function.handler} failed:\n{done.stderr[-3000:]}")
    return done


def measure(python: str, targets: dict[str, BuiltFunction], runtime: Path, runs: int) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {name: [] for name in targets}
    order = list(targets)
    for round_no in range(runs + 2):  # two warm-up rounds fill the page cache
        random.shuffle(order)
        for name in order:
            wall, cpu = map(float, sample(python, targets[name], runtime).stdout.split()[-2:])
            if round_no >= 2:
                samples[name].append(Sample(wall, cpu))
        print(f"\rround {round_no + 1}/{runs + 2}", end="", flush=True)
    print()
    return samples


def self_times(stderr: str) -> dict[str, float]:
    """The ms each module's own body took, from `-X importtime` (its imports excluded)."""
    return {m[4]: int(m[1]) / 1000 for m in map(_IMPORT_LINE.match, stderr.splitlines()) if m}


def print_extra_imports(python: str, targets: dict[str, BuiltFunction], runtime: Path, runs: int = 9) -> None:
    timed = {
        name: [self_times(sample(python, f, runtime, "-X", "importtime").stderr) for _ in range(runs)]
        for name, f in targets.items()
    }
    floor = set().union(*timed.pop("baseline"))
    for name, runs_of in timed.items():
        extra = {m for run in runs_of for m in run} - floor
        rows = sorted(((median([r.get(m, 0.0) for r in runs_of]), m) for m in extra), reverse=True)
        total = median([sum(v for m, v in r.items() if m in extra) for r in runs_of])
        print(
            f"\n{name}: {len(extra)} modules beyond the baseline, {total:.1f} ms of their own "
            f"(median of {runs} runs under -X importtime, which inflates)"
        )
        print(table([[m, f"{ms:.2f}"] for ms, m in rows[:15]], ["module", "self ms"]))


def package_kib(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts) / 1024


def report(build_dir: Path, functions: list[BuiltFunction], samples: dict[str, list[Sample]]) -> list[Figure]:
    base = samples["baseline"]
    base_wall, base_cpu = median([b.wall for b in base]), median([b.cpu for b in base])
    rows, figures = [], []
    for f in functions:
        own = samples[f.address]
        wall, cpu = median([s.wall for s in own]), median([s.cpu for s in own])
        paired = median([s.wall / b.wall for s, b in zip(own, base, strict=True)])
        ratio = wall / base_wall
        rows.append(
            [
                f.address,
                f"{wall:.1f}",
                f"{base_wall:.1f}",
                f"{ratio:.2f}",
                "ok" if ratio <= GOAL else "OVER",
                f"{paired:.2f}",
                f"{cpu:.1f} / {base_cpu:.1f} = {cpu / base_cpu:.2f}",
                f"{package_kib(f.code_dir):.0f}",
            ]
        )
        figures.append(
            Figure(NAME, f"{f.address} / baseline", ratio, "x", f"{wall:.0f} vs {base_wall:.0f} ms; goal ≤ {GOAL}")
        )
    spread = f"{percentile([b.wall for b in base], 25):.0f}-{percentile([b.wall for b in base], 75):.0f}"
    print(f"\n{NAME}, {build_dir}: medians of {len(base)} fresh interpreters each (baseline IQR {spread} ms)")
    header = [
        "function",
        "median ms",
        "baseline ms",
        "ratio",
        f"≤ {GOAL}",
        "paired",
        "CPU ms (fn / base)",
        "package KiB",
    ]
    print(table(rows, header))
    print("paired: the median of each round's function/baseline ratio. CPU: the same import in CPU time, which")
    print("load from other processes disturbs less. Package: the function's own files, .pyc left out.")
    return [Figure(NAME, "baseline (bare resolver + Logger)", base_wall, "ms", f"median of {len(base)}"), *figures]


if __name__ == "__main__":
    cli(run)
