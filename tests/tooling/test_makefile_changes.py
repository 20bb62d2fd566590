"""`make changes` previews what `make deploy` would ship, and `make build-ci` lints what it built.

Read from `make -n`: the change set is made from the same build, for the same stack, with the same
parameters as the deploy, and nothing executes it. A missing build is refused before any AWS call.
"""

from __future__ import annotations

import shlex

import pytest
import yaml

from tests.tooling.make_dry_run import ROOT, dry_run, make_for_real, run_make, sam_call
from tests.tooling.test_makefile_deploy import DEPLOYABLES, ENVS, build_dir, config_env, label


def changes_call(service: str | None, env: str, *variables: str) -> dict[str, list[str]]:
    """The options of the one `python -m tools.changes` line `make -n changes` prints."""
    if variables:
        result = run_make("-n", "changes", *([f"SERVICE={service}"] if service else []), f"ENV={env}", *variables)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
    else:
        lines = dry_run("changes", service, env)
    (line,) = [line for line in lines if "-m tools.changes" in line]
    tokens = shlex.split(line)
    options: dict[str, list[str]] = {}
    for token in tokens[tokens.index("tools.changes") + 1 :]:
        if token.startswith("--"):
            options[token] = []
            current = token
        else:
            options[current].append(token)
    return options


@pytest.mark.parametrize("service", DEPLOYABLES, ids=label)
@pytest.mark.parametrize("env", ENVS)
def test_changes_packages_the_deploy_build_and_previews_the_same_stack_and_parameters(service, env):
    package = sam_call("changes", service, env)
    deploy = sam_call("deploy", service, env)
    assert package.command == "package"
    assert package.one("--template-file") == deploy.one("--template-file") == f"{build_dir(service)}/template.yaml"
    assert package.one("--config-env") == config_env(service)
    assert "--resolve-s3" in package.options
    options = changes_call(service, env)
    assert options["--template-file"] == [package.one("--output-template-file")]
    assert options["--stack-name"] == [deploy.one("--stack-name")]
    assert options["--region"] == [deploy.one("--region")]
    assert options["--config-env"] == [config_env(service)]
    assert dict(pair.split("=", 1) for pair in options["--parameter-overrides"]) == deploy.pairs(
        "--parameter-overrides"
    )
    assert not [line for line in dry_run("changes", service, env) if "execute" in line]


def test_an_existing_change_set_is_read_without_packaging():
    result = run_make("-n", "changes", "SERVICE=todos", "ENV=prod", "CHANGE_SET=changes-1764690000")
    assert result.returncode == 0, result.stderr
    assert "sam package" not in result.stdout
    options = changes_call("todos", "prod", "CHANGE_SET=changes-1764690000")
    assert options == {
        "--stack-name": ["platform-prod-todos"],
        "--region": ["us-east-1"],
        "--change-set-name": ["changes-1764690000"],
    }


def test_changes_flags_and_params_pass_through():
    options = changes_call("todos", "dev", "CHANGES_FLAGS=--delete --json", "PARAMS=EnableDax=true")
    assert options["--delete"] == [] and options["--json"] == []
    assert "EnableDax=true" in options["--parameter-overrides"]


def test_changes_without_its_build_refuses_in_one_line_and_runs_no_sam(checkout):
    result = make_for_real(checkout, "changes", "SERVICE=todos")
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert ours == [f"changes: no build at {build_dir('todos')}; run 'make build SERVICE=todos' first"]
    assert not (checkout / "sam-calls").exists()
    assert not (checkout / ".aws-sam").exists()


def test_help_lists_changes_beside_deploy():
    result = run_make("help")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    deploy = next(i for i, line in enumerate(lines) if line.startswith("make deploy"))
    assert lines[deploy + 1].startswith("make changes")


@pytest.mark.parametrize(
    ("service", "built"),
    [
        (None, ".aws-sam/ci/*/template.yaml"),
        ("todos", ".aws-sam/ci/todos/template.yaml"),
        ("shared", ".aws-sam/ci/layers/template.yaml"),
    ],
    ids=label,
)
def test_build_ci_lints_what_it_built_with_our_rules(service, built):
    lines = dry_run("build-ci", service)
    lint = [line for line in lines if "cfn-lint" in line]
    assert lint == [f".venv-sam/bin/cfn-lint --append-rules tools/cfn_rules -- {built}"]
    # after every build, so it lints this run's output
    assert lines.index(lint[0]) == len(lines) - 1


@pytest.mark.parametrize("service", DEPLOYABLES, ids=label)
def test_lint_build_lints_the_build_deploy_ships(service):
    (line,) = dry_run("lint-build", service)
    assert line == f".venv-sam/bin/cfn-lint --append-rules tools/cfn_rules -- {build_dir(service)}/template.yaml"
    assert sam_call("deploy", service).one("--template-file") == f"{build_dir(service)}/template.yaml"


def test_the_team_pipeline_lints_its_build_before_uploading_it():
    steps = yaml.safe_load((ROOT / ".github/workflows/_pipeline.yml").read_text())["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [
        'make validate SERVICE="$COMPONENT" && make build SERVICE="$COMPONENT" && make lint-build SERVICE="$COMPONENT"'
    ]
