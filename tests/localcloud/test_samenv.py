"""`.localcloud/sam-env.json`: every function of the root template with its resolved environment, in the
format `sam local invoke --env-vars` reads, checked against the template and by SAM CLI's own code."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest

from localcloud.samenv import for_containers
from localcloud.template import load_yaml
from tests.support.localcloud import ROOT

pytestmark = pytest.mark.localcloud

SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"


def declared_functions(template: Path, stack: str = "") -> dict[str, set[str]]:
    """Every AWS::Serverless::Function of a template and its nested applications, by SAM CLI's full path,
    with the variables its template declares (Globals included)."""
    document = load_yaml(template)
    globals_vars = ((document.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables")
    found: dict[str, set[str]] = {}
    for logical_id, resource in document["Resources"].items():
        properties = resource.get("Properties") or {}
        path = f"{stack}/{logical_id}" if stack else logical_id
        if resource["Type"] == "AWS::Serverless::Function":
            variables = (properties.get("Environment") or {}).get("Variables") or {}
            found[path] = set(globals_vars or {}) | set(variables)
        elif resource["Type"] == "AWS::Serverless::Application":
            found |= declared_functions(template.parent / properties["Location"], path)
    return found


@pytest.fixture(scope="module")
def sam_env(localcloud_session) -> dict:
    return json.loads((localcloud_session.state_dir / "sam-env.json").read_text())


def test_every_function_of_the_root_template_has_its_resolved_environment(localcloud_session, sam_env):
    functions = declared_functions(ROOT / "template.yaml")
    endpoint = f"http://host.docker.internal:{urlparse(localcloud_session.endpoints['aws']).port}"
    tables = set(localcloud_session.aws("dynamodb").list_tables()["TableNames"])

    assert functions, "the root template has no functions to check"
    assert set(sam_env) == {"Parameters", *functions}
    assert sam_env["Parameters"] == {"AWS_ENDPOINT_URL": endpoint}
    for address, declared in functions.items():
        variables = sam_env[address]
        assert set(variables) == declared | {"AWS_ENDPOINT_URL"}, address
        assert all(isinstance(value, str) for value in variables.values()), address
        assert variables["AWS_ENDPOINT_URL"] == endpoint
        for name, value in variables.items():
            if name.endswith("TABLE_NAME"):
                assert value in tables, f"{address}: {name}={value} is not a table of the local AWS"
            assert "127.0.0.1" not in value and "localhost" not in value


@pytest.mark.skipif(not SAM_PYTHON.exists(), reason="no .venv-sam (make setup makes it)")
def test_sam_cli_gives_each_function_the_files_values(localcloud_session, sam_env):
    done = subprocess.run(
        [str(SAM_PYTHON), str(ROOT / "tests" / "support" / "sam_cli_env.py"), str(ROOT / "template.yaml"),
         str(localcloud_session.state_dir / "sam-env.json")],
        capture_output=True, text=True, timeout=120, check=True, env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )  # fmt: skip
    resolved = json.loads(done.stdout)

    deployed = set(sam_env) - {"Parameters"}
    assert deployed <= set(resolved)
    for address in set(resolved) - deployed:  # SAM CLI lists functions whatever their Condition says
        stack, logical_id = address.split("/")
        resource = load_yaml(ROOT / "services" / stack.lower() / "template.yaml")["Resources"][logical_id]
        assert "Condition" in resource, f"{address}: SAM CLI knows it, localcloud did not deploy it"
    for address in deployed:
        environment = resolved[address]
        for name, value in sam_env[address].items():
            if name != "AWS_ENDPOINT_URL":  # SAM CLI passes only the variables a template declares
                assert environment[name] == value, f"{address}: {name}"


def test_loopback_urls_become_the_docker_host():
    assert for_containers("http://127.0.0.1:4566") == "http://host.docker.internal:4566"
    assert for_containers("http://localhost:4580/abc/v1") == "http://host.docker.internal:4580/abc/v1"
    assert for_containers("arn:aws:sqs:us-east-1:123456789012:localhost-queue") == (
        "arn:aws:sqs:us-east-1:123456789012:localhost-queue"
    )
