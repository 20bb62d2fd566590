"""Lambda parity through `localcloud up`: each runtime on its own Python or, when this machine lacks it, the
nearest one with one notice line; the runtime's boto3; a forgotten dependency fails as on AWS; and a
template `sam build` wrote runs on the packages it built, installing nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from localcloud.lambdas.interpreters import installed
from tests.support.localcloud import ROOT, LocalCloudProcess

pytestmark = pytest.mark.localcloud

TEMPLATES = Path(__file__).parent / "templates"
SAM = ROOT / ".venv-sam" / "bin" / "sam"


@pytest.fixture(scope="module")
def runtimes(tmp_path_factory):
    state = tmp_path_factory.mktemp("runtimes")
    process = LocalCloudProcess(TEMPLATES / "runtimes" / "template.yaml", state, state / "log.txt")
    yield process.start(quiet=False)
    process.stop()


def test_a_missing_runtime_runs_on_the_nearest_python_with_one_notice(runtimes):
    versions = installed()
    notices = [line for line in runtimes.log_path.read_text().splitlines() if line.startswith("  ! ")]

    if (3, 14) in versions:
        pytest.skip("this machine has python3.14: nothing to fall back from")
    nearest = max(version for version in versions if version[0] == 3)
    assert notices == [
        f"  ! python3.14 is not installed here, so Future, AlsoFuture run on the nearest Python, {versions[nearest]}"
        " (install Python 3.14, e.g. with pyenv, for parity)"
    ]
    assert runtimes.invoke("Future", {})["payload"]["version"] == list(nearest)


def test_each_installed_runtime_runs_on_its_own_python_with_the_runtimes_boto3(runtimes):
    current = runtimes.invoke("Current", {})["payload"]
    assert current["version"] == [3, 13] and current["boto3"] == "1.40.4"
    assert not any(entry.startswith(str(ROOT)) and "templates/runtimes" not in entry for entry in current["path"])
    if (3, 12) in installed():
        assert runtimes.invoke("Older", {})["payload"]["version"] == [3, 12]


def test_a_forgotten_dependency_is_an_import_module_error_as_on_lambda(runtimes):
    error = runtimes.invoke("Forgot", {})["error"]
    assert error["errorType"] == "Runtime.ImportModuleError"
    assert error["errorMessage"] == "Unable to import module 'app': No module named 'yaml'"


def test_a_second_up_installs_nothing(runtimes, tmp_path):
    again = LocalCloudProcess(runtimes.template, tmp_path / "state", tmp_path / "log.txt").start(quiet=False)
    again.stop()

    lines = (tmp_path / "log.txt").read_text().splitlines()
    assert any("functions get the Lambda runtime's SDK: boto3 1.40.4, botocore 1.40.4" in line for line in lines)
    assert not [line for line in lines if "installing" in line]


@pytest.mark.skipif(not SAM.exists(), reason="no .venv-sam (make setup makes it)")
def test_up_on_what_sam_build_wrote_uses_the_built_packages(tmp_path):
    source = TEMPLATES / "sam_built"
    build = tmp_path / ".aws-sam" / "build"
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    subprocess.run(
        [str(SAM), "build", "--template-file", str(source / "template.yaml"), "--build-dir", str(build),
         "--cache-dir", str(tmp_path / ".aws-sam" / "cache")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert (build / "Reader" / "yaml").is_dir() and (build / "HelperLayer" / "python" / "helper.py").is_file()

    cloud = LocalCloudProcess(build / "template.yaml", tmp_path / "state", tmp_path / "log.txt").start(quiet=False)
    try:
        payload = cloud.invoke("Reader", {})["payload"]
    finally:
        cloud.stop()

    assert payload["yaml"].startswith(str(build / "Reader" / "yaml"))
    assert payload["helper"] == str(build / "HelperLayer" / "python" / "helper.py")
    assert payload["greeting"] == "hello from the layer"
    installs = [line for line in (tmp_path / "log.txt").read_text().splitlines() if "installing" in line]
    assert not [line for line in installs if "build" in line], installs
