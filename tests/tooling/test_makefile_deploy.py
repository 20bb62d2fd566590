"""`make build` and `make deploy` for the root and every service, in two envs, read from `make -n`.

Each deployable builds into its own folder and deploys exactly that build, to the stack SERVICE and ENV
name, with EnvName and every SSM-typed input moved to that env. Before, a todos build overwrote the
root's, `ENV=prod` deployed the dev stack, and a prod deploy still read `/platform/dev/...` inputs.
"""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest

from tests.templates.cfn import load_template
from tests.tooling.make_dry_run import ROOT, dry_run, make_for_real, parse_sam_line, run_make, sam_call

APP = "platform"
REGION = "us-east-1"
# `shared` is the layers stack (layers/template.yaml), deployed alone first where services deploy alone.
SERVICES = ["shared", *sorted(path.parent.name for path in (ROOT / "services").glob("*/template.yaml"))]
DEPLOYABLES = [None, *SERVICES]  # None is the root: the layers and every service, nested
ENVS = ("dev", "prod")
SSM_TYPE = "AWS::SSM::Parameter::Value<"


def label(service: str | None) -> str:
    return service or "root"


each_deployable = pytest.mark.parametrize("service", DEPLOYABLES, ids=label)
each_env = pytest.mark.parametrize("env", ENVS)


def source_template(service: str | None) -> str:
    if service == "shared":
        return "layers/template.yaml"
    return f"services/{service}/template.yaml" if service else "template.yaml"


def build_dir(service: str | None) -> str:
    return f".aws-sam/{label(service)}/build"


def config_env(service: str | None) -> str:
    return service or "default"


def stack_name(service: str | None, env: str) -> str:
    return "-".join([APP, env, *([service] if service else [])])


def ssm_inputs(service: str | None, env: str) -> dict[str, str]:
    """Each SSM-typed parameter of the template, its `/platform/dev/<svc>/<name>` default moved to env."""
    moved = {}
    for name, spec in (load_template(source_template(service)).get("Parameters") or {}).items():
        if spec["Type"].startswith(SSM_TYPE):
            app, default_env, rest = spec["Default"].removeprefix("/").split("/", 2)
            assert (app, default_env) == (APP, "dev"), f"{name} default {spec['Default']} is not /{APP}/dev/..."
            moved[name] = f"/{APP}/{env}/{rest}"
    return moved


def test_every_service_is_a_deployable():
    assert SERVICES, "no services/*/template.yaml found"
    assert {"identity", "todos"} <= set(SERVICES)


@each_deployable
@each_env
def test_build_writes_each_deployable_into_its_own_folder(service, env):
    call = sam_call("build", service, env)
    assert call.command == "build"
    assert call.one("--config-env") == config_env(service)
    assert call.one("--template-file") == source_template(service)
    assert call.one("--build-dir") == build_dir(service)
    assert call.one("--cache-dir") == f".aws-sam/{label(service)}/cache"


@each_deployable
def test_one_build_serves_every_env(service):
    assert sam_call("build", service, "dev") == sam_call("build", service, "prod")


@each_deployable
def test_build_compiles_hash_based_pyc_into_that_build(service):
    compile_lines = [line for line in dry_run("build", service, "dev") if "compileall" in line]
    assert len(compile_lines) == 1
    assert compile_lines[0].split()[-1] == build_dir(service)
    assert "--invalidation-mode checked-hash" in compile_lines[0]


def test_build_folders_are_distinct_and_not_nested():
    folders = {label(s): Path(sam_call("build", s, "dev").one("--build-dir")) for s in DEPLOYABLES}
    for (a, one), (b, other) in itertools.combinations(folders.items(), 2):
        assert one != other, (a, b)
        assert not one.is_relative_to(other) and not other.is_relative_to(one), (a, b)
    # SAM keeps its build graph (build.toml) beside the build folder: each deployable needs its own parent.
    assert len({folder.parent for folder in folders.values()}) == len(folders)


@each_deployable
@each_env
def test_deploy_ships_its_own_build_to_the_service_env_stack(service, env):
    call = sam_call("deploy", service, env)
    assert call.command == "deploy"
    assert call.one("--config-env") == config_env(service)
    assert call.one("--template-file") == f"{sam_call('build', service, env).one('--build-dir')}/template.yaml"
    assert call.one("--stack-name") == stack_name(service, env)
    assert call.one("--region") == REGION
    overrides = call.pairs("--parameter-overrides")
    assert overrides == {"AppName": APP, "EnvName": env, **ssm_inputs(service, env)}


def test_the_prod_todos_stack_is_platform_prod_todos_reading_prod_inputs():
    call = sam_call("deploy", "todos", "prod")
    assert call.one("--stack-name") == "platform-prod-todos"
    overrides = call.pairs("--parameter-overrides")
    assert overrides["EnvName"] == "prod"
    assert overrides["UserPoolArnParameter"] == "/platform/prod/identity/UserPoolArn"
    assert overrides["LayerArnParameter"] == "/platform/prod/shared/LayerArn"
    assert not [value for value in overrides.values() if "/dev/" in value]


def test_plain_build_and_deploy_are_the_dev_root():
    assert sam_call("build") == sam_call("build", None, "dev")
    assert sam_call("deploy") == sam_call("deploy", None, "dev")
    assert sam_call("deploy").one("--stack-name") == "platform-dev"


def test_ci_builds_stay_apart_from_the_deploy_builds():
    lines = "\n".join(dry_run("build-ci"))
    assert "--build-dir .aws-sam/ci/root" in lines
    assert "--build-dir .aws-sam/ci/$svc" in lines
    for service in DEPLOYABLES:
        assert build_dir(service) not in lines


def test_an_unknown_service_is_refused_with_the_valid_names():
    result = run_make("-n", "deploy", "SERVICE=nope")
    assert result.returncode != 0
    assert "nope" in result.stderr
    for service in SERVICES:
        assert service in result.stderr


@pytest.mark.parametrize("env", ["Prod", "p", "/home/me/.shrc"])
def test_a_malformed_env_is_refused(env):
    result = run_make("-n", "deploy", "SERVICE=todos", f"ENV={env}")
    assert result.returncode != 0
    assert "ENV" in result.stderr


def deploy_for_real(checkout: Path, *variables: str):
    """`make deploy` (not a dry run) with sam replaced by a script that only records its arguments."""
    return make_for_real(checkout, "deploy", *variables)


def test_deploy_without_its_build_refuses_in_one_line_and_runs_no_sam(checkout):
    result = deploy_for_real(checkout, "SERVICE=todos", "ENV=prod")
    assert result.returncode != 0
    ours = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert len(ours) == 1, result.stderr
    assert build_dir("todos") in ours[0]
    assert "make build SERVICE=todos" in ours[0]
    assert not (checkout / "sam-calls").exists()


def test_deploy_runs_once_its_build_exists(checkout):
    built = checkout / build_dir("todos") / "template.yaml"
    built.parent.mkdir(parents=True)
    built.write_text("Resources: {}\n")
    result = deploy_for_real(checkout, "SERVICE=todos", "ENV=prod")
    assert result.returncode == 0, result.stderr
    (recorded,) = (checkout / "sam-calls").read_text().splitlines()
    call = parse_sam_line(f"sam {recorded}")
    assert call.one("--template-file") == f"{build_dir('todos')}/template.yaml"
    assert call.one("--stack-name") == "platform-prod-todos"


def _samconfig() -> dict:
    return tomllib.loads((ROOT / "samconfig.toml").read_text())


@each_deployable
def test_samconfig_env_matches_what_make_runs_for_dev(service):
    """A bare `sam build/deploy --config-env X` does what `make build/deploy SERVICE=X` does for dev."""
    config = _samconfig()[config_env(service)]
    build, deploy = sam_call("build", service, "dev"), sam_call("deploy", service, "dev")
    settings = {**config["global"]["parameters"], **config["build"]["parameters"]}
    assert settings["build_dir"] == build.one("--build-dir")
    assert settings["cache_dir"] == build.one("--cache-dir")
    assert settings.get("template_file", "template.yaml") == build.one("--template-file")
    settings = {**config["global"]["parameters"], **config["deploy"]["parameters"]}
    assert settings["template_file"] == deploy.one("--template-file")
    assert settings["stack_name"] == deploy.one("--stack-name")
    assert settings["region"] == deploy.one("--region")
    samconfig_overrides = dict(pair.split("=", 1) for pair in settings["parameter_overrides"].split())
    assert samconfig_overrides.items() <= deploy.pairs("--parameter-overrides").items()


def test_app_name_matches_every_template_default():
    for service in DEPLOYABLES:
        assert load_template(source_template(service))["Parameters"]["AppName"]["Default"] == APP


def test_ci_passes_its_own_deploy_flags_through():
    flags = "DEPLOY_FLAGS=--no-confirm-changeset --no-fail-on-empty-changeset"
    result = run_make("-n", "deploy", "SERVICE=todos", "ENV=dev", flags)
    assert result.returncode == 0, result.stderr
    (call,) = [call for line in result.stdout.splitlines() if (call := parse_sam_line(line))]
    assert call.options["--no-confirm-changeset"] == () and call.options["--no-fail-on-empty-changeset"] == ()


def test_test_for_one_service_runs_its_tests_template_and_build_only():
    lines = "\n".join(line for target in ("unit", "validate", "build-ci") for line in dry_run(target, "todos"))
    assert "pytest -n 2 --dist loadfile $(.venv/bin/python -m tools.services tests todos)" in lines
    assert "for t in services/todos/template.yaml;" in lines
    assert ".aws-sam/ci/root" not in lines
    assert "services/identity/template.yaml" not in lines
