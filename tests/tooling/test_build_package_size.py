"""What `sam build` puts in each API function's own package, for every service: under 1 MB with its
hash-based .pyc (as `make build` ships it), and none of what comes from the runtime (boto3, botocore) or
from a layer (Powertools, amazon-dax-client).

Built here by the aws-sam-cli of .venv-sam, for arm64 as CI builds, with the layers left out (`--exclude`):
a function with no requirements of its own builds without fetching anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.templates.cfn import ROOT, load_template

SAM = ROOT / ".venv-sam" / "bin" / "sam"
LIMIT_BYTES = 1_000_000
NOT_IN_A_PACKAGE = {"boto3", "botocore", "s3transfer", "amazondax", "aws_lambda_powertools", "ulid_transform"}
LAYER_TYPES = {"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}


def api_functions(template: dict) -> list[str]:
    return [
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
        and any(
            e.get("Type") in ("Api", "HttpApi") for e in (resource.get("Properties", {}).get("Events") or {}).values()
        )
    ]


SERVICES = [
    path.parent.name
    for path in sorted((ROOT / "services").glob("*/template.yaml"))
    if api_functions(load_template(str(path.relative_to(ROOT))))
]


@pytest.fixture(scope="module", params=SERVICES)
def built(request, tmp_path_factory) -> tuple[Path, list[str]]:
    if not SAM.exists():
        pytest.fail(f"{SAM} is missing: `make setup` installs aws-sam-cli")
    relative = f"services/{request.param}/template.yaml"
    template = load_template(relative)
    layers = [lid for lid, r in template["Resources"].items() if r["Type"] in LAYER_TYPES]
    build_dir = tmp_path_factory.mktemp(f"build-{request.param}")
    command = [str(SAM), "build", "--build-dir", str(build_dir), "--template-file", str(ROOT / relative)]
    for layer in layers:
        command += ["--exclude", layer]
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",  # sam wants a python3.13
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=280)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    compiled = [sys.executable, "-m", "compileall", "-q", "--invalidation-mode", "checked-hash", str(build_dir)]
    subprocess.run(compiled, check=True, timeout=120)
    return build_dir, api_functions(template)


def package_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


@pytest.mark.timeout(300)
def test_each_api_function_package_is_under_1_mb(built):
    build_dir, functions = built
    sizes = {name: package_bytes(build_dir / name) for name in functions}
    assert functions and all((build_dir / name).is_dir() for name in functions), sorted(
        p.name for p in build_dir.iterdir()
    )
    assert {name: size for name, size in sizes.items() if size >= LIMIT_BYTES} == {}, sizes


@pytest.mark.timeout(300)
def test_no_function_package_ships_the_sdk_or_a_layers_content(built):
    build_dir, functions = built
    for name in functions:
        top_level = {p.name.removesuffix(".py") for p in (build_dir / name).iterdir()}
        assert top_level & NOT_IN_A_PACKAGE == set(), f"{name}: {sorted(top_level)}"
