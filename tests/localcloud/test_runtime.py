"""The runtime as a user meets it: `python -m localcloud up` on a template where most things are broken.
Each problem is reported naming its resource, and the rest keeps serving."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import ROOT, LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "errors" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "errors")


def get(cloud: LocalCloudProcess, path: str) -> requests.Response:
    return requests.get(cloud.api_url("Api") + path, timeout=30)


def test_provisioning_errors_name_the_resource(cloud):
    errors = cloud.endpoints["errors"]
    assert any(e.startswith("MissingCode (AWS::Lambda::Function)") and "does-not-exist" in e for e in errors), errors
    assert any(e.startswith("BrokenNested (AWS::CloudFormation::Stack)") and "broken-nested.yaml" in e for e in errors)


def test_the_good_function_serves_and_stays_warm(cloud):
    first, second = get(cloud, "/good"), get(cloud, "/good")
    assert first.status_code == second.status_code == 200
    assert first.json()["pid"] == second.json()["pid"]


@pytest.mark.parametrize(
    ("path", "function", "error_type", "text"),
    [
        ("/unknown", "UnknownHandler", "Runtime.HandlerNotFound", "does_not_exist"),
        ("/import", "RaisesAtImport", "RuntimeError", "configuration missing: TABLE_NAME"),
        ("/crash", "CrashesMidInvoke", "Runtime.ExitError", "exit status 3"),
        ("/sleep", "SleepsPastTimeout", "Sandbox.Timedout", "Task timed out after 1.00 seconds"),
    ],
)
def test_broken_functions_fail_like_lambda_and_the_rest_keeps_serving(cloud, path, function, error_type, text):
    response = get(cloud, path)
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    result = cloud.invoke(function, {})
    assert result["error"]["errorType"] == error_type
    assert text in result["error"]["errorMessage"]
    assert get(cloud, "/good").status_code == 200


def test_function_logs_reach_the_console(cloud):
    cloud.invoke("RaisesAtImport", {})
    logs = requests.get(f"{cloud.base}/_local/api/logs/RaisesAtImport", timeout=30).json()
    assert any("configuration missing: TABLE_NAME" in json.dumps(entry) for entry in logs)


def test_cli_invoke_uses_the_running_instance(cloud, tmp_path):
    event = tmp_path / "event.json"
    event.write_text("{}")
    done = subprocess.run(
        [sys.executable, "-m", "localcloud", "invoke", "Good", "-e", str(event), "--state-dir", str(cloud.state_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statusCode"] == 200
    missing = subprocess.run(
        [sys.executable, "-m", "localcloud", "invoke", "Nope", "--state-dir", str(cloud.state_dir)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 2
    assert "Nope" in missing.stderr


def test_ctrl_c_stops_cleanly_and_removes_endpoints(tmp_path):
    import signal
    import time

    state = tmp_path / "state"
    proc = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "up", "--template", str(TEMPLATE), "--state-dir", str(state),
         "--port", "0", "--aws-port", "0", "--cdn-port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (state / "endpoints.json").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.poll() else "timeout"
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert "provisioning" in output and "localcloud ready" in output and "localcloud stopping" in output
    assert not (state / "endpoints.json").exists()


def _children(parent: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if any(line == f"PPid:\t{parent}" for line in text.splitlines()):
            found.add(int(status.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def test_workers_and_their_children_die_with_localcloud_even_when_it_is_killed(tmp_path):
    import os
    import re
    import signal
    import threading
    import time

    template = Path(__file__).parent / "templates" / "hygiene" / "template.yaml"
    cloud = LocalCloudProcess(template, tmp_path, tmp_path / "log.txt").start()
    try:
        threading.Thread(target=lambda: cloud.invoke("Sleeper", {"seconds": 60}), daemon=True).start()
        deadline = time.monotonic() + 30
        while not (found := re.search(r"child (\d+)", Path(tmp_path / "log.txt").read_text() + _console_logs(cloud))):
            assert time.monotonic() < deadline, "the function never started its child"
            time.sleep(0.1)
        workers = _children(cloud.proc.pid)
        grandchild = int(found.group(1))
        assert workers and _running(grandchild)
        os.kill(cloud.proc.pid, signal.SIGKILL)  # no chance to clean up
        cloud.proc.wait(10)
        deadline = time.monotonic() + 10
        while alive := {pid for pid in [*workers, grandchild] if _running(pid)}:
            assert time.monotonic() < deadline, f"still running after localcloud was killed: {alive}"
            time.sleep(0.05)
    finally:
        cloud.stop()


def _console_logs(cloud: LocalCloudProcess) -> str:
    try:
        return json.dumps(requests.get(f"{cloud.base}/_local/api/logs/Sleeper", timeout=5).json())
    except (requests.RequestException, ValueError):
        return ""
