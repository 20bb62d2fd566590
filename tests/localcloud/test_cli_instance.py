"""The CLI beside a running instance: a second `up` leaves the first intact, and `invoke` names functions
as `sam local invoke` does, with one clear line for each mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
import requests

from localcloud.instance import InstanceLock
from tests.support.localcloud import ROOT

pytestmark = pytest.mark.localcloud


def localcloud_cli(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def test_a_second_up_on_the_same_state_dir_leaves_the_first_intact(localcloud_session):
    state = localcloud_session.state_dir
    before = (state / "endpoints.json").read_text()
    done = localcloud_cli("up", "--state-dir", str(state), "--port", "0", "--aws-port", "0", "--cdn-port", "0")
    assert done.returncode == 1
    assert "already running" in done.stderr and localcloud_session.endpoints["console"] in done.stderr
    assert "--state-dir" in done.stderr and "--port 0 --aws-port 0 --cdn-port 0" in done.stderr
    assert (state / "endpoints.json").read_text() == before
    assert requests.get(localcloud_session.base + "/_local/control/endpoints", timeout=10).ok
    outbox = localcloud_cli("outbox", "--state-dir", str(state))
    assert outbox.returncode == 0, outbox.stderr


def test_a_second_up_on_a_taken_port_says_which_and_how_to_choose(localcloud_session, tmp_path):
    aws_port = str(urlsplit(localcloud_session.endpoints["aws"]).port)
    done = localcloud_cli(
        "up", "--state-dir", str(tmp_path / "other"), "--port", "0", "--aws-port", aws_port, "--cdn-port", "0"
    )
    assert done.returncode == 1
    assert f"port {aws_port}" in done.stderr and "--aws-port" in done.stderr and "in use" in done.stderr
    assert not (tmp_path / "other" / "endpoints.json").exists()


def test_the_state_dir_lock_is_exclusive_and_released(tmp_path):
    first = InstanceLock(tmp_path)
    first.acquire()
    from localcloud.instance import AlreadyRunning

    with pytest.raises(AlreadyRunning):
        InstanceLock(tmp_path).acquire()
    first.release()
    again = InstanceLock(tmp_path)
    again.acquire()
    again.release()


def test_invoke_takes_a_bare_logical_id_when_it_is_unambiguous(localcloud_session):
    done = localcloud_cli(
        "invoke", "ReadTodosFunction", "-e", "events/todos/list-todos.json",
        "--state-dir", str(localcloud_session.state_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statusCode"] == 200


def test_invoke_of_an_unknown_function_lists_the_valid_ones(localcloud_session):
    done = localcloud_cli("invoke", "ReadTodos", "--state-dir", str(localcloud_session.state_dir))
    assert done.returncode == 2
    assert "ReadTodos" in done.stderr and "Todos/ReadTodosFunction" in done.stderr
    assert "Todos/WriteTodosFunction" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "expected"), [(None, "does not exist"), ("{not json", "is not JSON")], ids=["missing", "not-json"]
)
def test_a_bad_event_file_is_one_clear_line(localcloud_session, tmp_path, content, expected):
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content)
    done = localcloud_cli(
        "invoke", "ReadTodosFunction", "-e", str(path), "--state-dir", str(localcloud_session.state_dir)
    )
    assert done.returncode == 2
    assert expected in done.stderr and str(path) in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_reset_says_what_it_wiped_and_keeps_users_unless_asked(localcloud):
    # from nothing: the session's instance keeps the users (and whatever else) earlier tests left
    assert localcloud_cli("reset", "--wipe-users", "--state-dir", str(localcloud.state_dir)).returncode == 0
    localcloud._tokens.clear()
    tokens = localcloud.tokens("reset-user")
    api = localcloud.api_url("Todos/TodosApi")
    headers = {"Authorization": tokens["IdToken"]}
    assert requests.post(f"{api}/todos", json={"title": "t"}, headers=headers, timeout=30).status_code == 201
    state = str(localcloud.state_dir)

    kept = localcloud_cli("reset", "--state-dir", state)
    assert kept.returncode == 0, kept.stderr
    assert "wiped 1 items" in kept.stdout and "1 emails" in kept.stdout  # the sign-up code
    assert "kept 1 users" in kept.stdout and "--wipe-users" in kept.stdout
    assert requests.get(f"{api}/todos", headers=headers, timeout=30).json()["items"] == []

    wiped = localcloud_cli("reset", "--wipe-users", "--state-dir", state)
    assert wiped.returncode == 0, wiped.stderr
    assert "1 users" in wiped.stdout and "kept 1 users" not in wiped.stdout
    localcloud._tokens.clear()
