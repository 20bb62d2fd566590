"""`python -m tools.changed`: what a change must test and deploy, measured on a temporary git history.

The history holds three services in a chain (orders consumes catalog's SSM output, mail consumes orders'
topic) plus the shared layer and localcloud, so each rule shows: a change reaches its dependents
transitively, the layer reaches every service that mounts it, localcloud is tested with every service but
deploys nothing, root wiring tests and deploys everything, and a doc-only change reaches nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.services import MapError, ServiceMap

REPO = Path(__file__).resolve().parents[2]

SERVICES = {
    "catalog": {"layers": ["shared"], "exposes": {"ssm": ["catalog/TableName"]}},
    "orders": {
        "layers": ["shared"],
        "consumes": {"ssm": ["catalog/TableName"]},
        "exposes": {"topics": ["orders/OrderEvents"]},
    },
    "mail": {"consumes": {"topics": ["orders/OrderEvents"]}},
    "lonely": {},
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def write(repo: Path, relative: str, text: str = "x\n") -> None:
    path = repo / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "ci@example.com")
    git(tmp_path, "config", "user.name", "ci")
    for name, spec in SERVICES.items():
        write(tmp_path, f"services/{name}/service.yaml", json.dumps({"name": name, **spec}))
        write(tmp_path, f"services/{name}/src/app.py")
    for path in ("layers/shared/common/__init__.py", "localcloud/runtime.py", "template.yaml", "README.md"):
        write(tmp_path, path)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def plan_after(repo: Path, *paths: str) -> dict:
    base = git(repo, "rev-parse", "HEAD")
    for path in paths:
        write(repo, path, "changed\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    out = subprocess.run(
        [sys.executable, "-m", "tools.changed", "--since", base, "--json", "--root", str(repo)],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def test_a_service_change_reaches_its_dependents_transitively(repo):
    plan = plan_after(repo, "services/catalog/src/app.py")
    assert plan == {"test": ["catalog", "mail", "orders"], "deploy": ["catalog", "mail", "orders"]}


def test_a_consumer_change_does_not_reach_its_producer(repo):
    assert plan_after(repo, "services/mail/src/app.py") == {"test": ["mail"], "deploy": ["mail"]}


def test_the_shared_layer_reaches_every_service_that_mounts_it_and_theirs(repo):
    plan = plan_after(repo, "layers/shared/common/__init__.py")
    assert plan["test"] == ["shared", "catalog", "mail", "orders"]
    assert plan["deploy"] == ["shared", "catalog", "mail", "orders"]


def test_localcloud_is_tested_with_every_service_and_deploys_nothing(repo):
    plan = plan_after(repo, "localcloud/runtime.py")
    assert plan == {"test": ["localcloud", "catalog", "lonely", "mail", "orders"], "deploy": []}


def test_root_wiring_reaches_everything(repo):
    plan = plan_after(repo, "template.yaml")
    assert set(plan["test"]) == {"shared", "localcloud", "root", *SERVICES}
    assert plan["deploy"] == ["shared", "catalog", "lonely", "mail", "orders"]


def test_a_docs_change_reaches_nothing_and_several_changes_add_up(repo):
    assert plan_after(repo, "README.md") == {"test": [], "deploy": []}
    plan = plan_after(repo, "services/lonely/src/app.py", "services/orders/src/app.py")
    assert plan == {"test": ["lonely", "mail", "orders"], "deploy": ["lonely", "mail", "orders"]}


def test_an_unknown_base_means_everything_and_says_so(repo):
    run = subprocess.run(
        [sys.executable, "-m", "tools.changed", "--since", "0" * 40, "--root", str(repo)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0
    assert "treating everything as changed" in run.stderr
    assert run.stdout.splitlines()[1] == "deploy: shared catalog lonely mail orders"


def test_a_consumed_name_nobody_exposes_is_an_error(repo):
    write(repo, "services/mail/service.yaml", json.dumps({"name": "mail", "consumes": {"ssm": ["nobody/Thing"]}}))
    with pytest.raises(MapError, match="mail consumes what no component exposes: ssm:nobody/Thing"):
        ServiceMap.load(repo)


def test_an_api_client_is_tested_when_what_it_calls_changes_and_is_never_deployed(repo):
    client = {"name": "python-client", "paths": ["clients/python/", "tests/clients/"], "tests": ["tests/clients"],
              "consumes": {"ssm": ["catalog/TableName"], "topics": ["orders/OrderEvents"]}}  # fmt: skip
    write(repo, "clients/python/client.yaml", json.dumps(client))
    write(repo, "clients/python/src/sdk.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a client")
    assert plan_after(repo, "clients/python/src/sdk.py") == {"test": ["python-client"], "deploy": []}
    assert plan_after(repo, "services/orders/src/app.py") == {"test": ["mail", "orders", "python-client"],
                                                              "deploy": ["mail", "orders"]}  # fmt: skip
    assert "python-client" in plan_after(repo, "localcloud/runtime.py")["test"]


def test_a_client_named_other_than_its_folder_is_an_error(repo):
    write(repo, "clients/python/client.yaml", json.dumps({"name": "sdk"}))
    with pytest.raises(MapError, match="name must be 'python-client'"):
        ServiceMap.load(repo)
