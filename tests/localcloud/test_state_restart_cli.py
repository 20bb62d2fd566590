"""The CLI on a saved state: `up --seed` again after a restart finds the demo data there, and `invoke`
with nothing running works on a temporary copy of the saved state and leaves it alone."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import requests

from tests.support.localcloud import ROOT, LocalCloudProcess


def ready_log(cloud: LocalCloudProcess, timeout: float = 60) -> str:
    """The output up to the ready line (the seed runs after endpoints.json is written)."""
    deadline = time.monotonic() + timeout
    while "localcloud ready" not in (text := cloud.log_path.read_text()):
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    return text


def test_seeding_again_after_a_restart_finds_the_demo_data_there(restartable):
    first = restartable("--seed", "scripts/seed_demo.py")
    assert "seeded: user demo@example.com" in ready_log(first)
    first.stop()
    again = restartable("--seed", "scripts/seed_demo.py")
    token = re.search(r"export TOKEN=(\S+)", ready_log(again)).group(1)
    todos = requests.get(f"{again.api_url('Todos/TodosApi')}/todos", headers={"Authorization": token}, timeout=30)
    assert len(todos.json()["items"]) == 3


def test_invoke_with_nothing_running_reads_the_saved_state_and_leaves_it_alone(restartable, tmp_path):
    cloud = restartable()
    created = cloud.invoke("Todos/WriteTodosFunction", json.loads((ROOT / "events/todos/create-todo.json").read_text()))
    assert created["payload"]["statusCode"] == 201, created
    cloud.stop()
    saved = (tmp_path / "state.db").read_bytes()

    done = subprocess.run(
        [sys.executable, "-m", "localcloud", "invoke", "ReadTodosFunction", "-e", "events/todos/list-todos.json",
         "--state-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "temporary copy of its saved state" in done.stderr
    body = json.loads(json.loads(done.stdout)["body"])
    assert len(body["items"]) == 1
    assert (tmp_path / "state.db").read_bytes() == saved
    assert not (tmp_path / "endpoints.json").exists()
