"""The team pipelines: one workflow per component, all through one reusable pipeline, deploying with OIDC.

actionlint and zizmor (in `make lint`) check the workflows' syntax and their security findings; these tests
check the shape the team relies on: which workflows exist, the stage order, and how credentials are had.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

from tests.templates.cfn import load_template
from tools.services import ServiceMap

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
PIPELINE = "./.github/workflows/_pipeline.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def load(name: str) -> dict:
    # PyYAML reads the `on:` key as True (YAML 1.1); nothing here needs it.
    return yaml.safe_load((WORKFLOWS / name).read_text())


def components_with_pipelines() -> list[str]:
    return [c.name for c in ServiceMap.load(REPO).components if c.name != "root"]


@pytest.mark.parametrize("component", components_with_pipelines())
def test_each_component_has_a_workflow_that_calls_the_one_pipeline(component):
    jobs = load(f"{component}.yml")["jobs"]
    calls = [job for job in jobs.values() if job.get("uses") == PIPELINE]
    assert len(calls) == 1, f"{component}.yml must call {PIPELINE} once"
    assert calls[0]["with"] == {"component": component}
    assert set(calls[0].get("secrets", {})) <= {"dev_parameters", "prod_parameters"}


def test_the_pipeline_runs_its_stages_in_order_and_prod_waits_for_dev():
    jobs = load("_pipeline.yml")["jobs"]
    needs = {name: job.get("needs", []) for name, job in jobs.items()}
    needs = {name: [n] if isinstance(n, str) else n for name, n in needs.items()}
    chain = ["plan", "lint", "unit", "integration", "build", "deploy-dev", "deploy-prod"]
    assert list(jobs) == chain
    for before, after in itertools.pairwise(chain):
        assert before in needs[after], f"{after} must need {before}"
    assert jobs["deploy-dev"]["with"]["environment"] == "dev"
    assert jobs["deploy-prod"]["with"]["environment"] == "prod"
    assert "tools.changed" in jobs["plan"]["steps"][-1]["run"]


def all_steps():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, name, step


def test_every_action_is_pinned_by_commit_and_no_checkout_keeps_credentials():
    for workflow, job, step in all_steps():
        uses = step.get("uses")
        if uses and not uses.startswith("./"):
            assert PINNED.match(uses), f"{workflow}/{job}: {uses} is not pinned to a commit SHA"
        if uses and uses.startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, f"{workflow}/{job} keeps credentials"


def test_permissions_are_empty_by_default_and_granted_per_job():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = yaml.safe_load(path.read_text())
        assert workflow["permissions"] == {}, f"{path.name}: top-level permissions must be {{}}"
        for name, job in workflow["jobs"].items():
            assert "permissions" in job, f"{path.name}/{name} must say its permissions"
            if job["permissions"].get("id-token") == "write":
                assert job.get("uses") or job.get("environment"), f"{path.name}/{name}: OIDC outside a deploy"


def test_credentials_come_from_oidc_only():
    text = "\n".join(p.read_text() for p in WORKFLOWS.glob("*.yml"))
    assert "aws-access-key-id" not in text and "aws-secret-access-key" not in text
    # Secrets carry deploy parameters only (e.g. an origin's shared secret), never credentials.
    assert set(re.findall(r"secrets\.(\w+)", text)) <= {
        "parameters",
        "dev_parameters",
        "prod_parameters",
        "UPDATES_DEV_PARAMETERS",
        "UPDATES_PROD_PARAMETERS",
    }
    deploy = load("_deploy.yml")["jobs"]["deploy"]
    assert deploy["environment"] == "${{ inputs.environment }}"
    (assume,) = [s for s in deploy["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    assert assume["with"]["role-to-assume"] == "${{ vars.DEPLOY_ROLE_ARN }}"


def test_the_deploy_role_trusts_only_this_repository_in_its_environment():
    template = load_template("pipelines/bootstrap.yaml")
    (statement,) = template["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    condition = statement["Condition"]["StringEquals"]
    assert condition["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert condition["token.actions.githubusercontent.com:sub"] == {
        "Fn::Sub": "repo:${GitHubOrg}/${GitHubRepo}:environment:${EnvName}"
    }
    execution = template["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert execution == [
        {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
