"""Each service's service.yaml says what its template really consumes and exposes.

tools.changed trusts these declarations, so a template that gains an SSM input or output without its
service.yaml would leave a dependent untested. The template is the truth: its SSM-typed parameter defaults,
and the defaults of the String parameters that name an SSM parameter (read through a dynamic reference or
by its functions at run time), are what it consumes; the SSM parameters it writes are what it exposes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.templates.cfn import load_template
from tools.services import ServiceMap

REPO = Path(__file__).resolve().parents[2]
SERVICE_TEMPLATES = sorted(p.parent.name for p in REPO.glob("services/*/template.yaml"))
PREFIX = "/platform/dev/"


def template_ssm(name: str) -> tuple[set[str], set[str]]:
    template = load_template(f"services/{name}/template.yaml")
    consumed = {
        spec["Default"].removeprefix(PREFIX)
        for spec in template.get("Parameters", {}).values()
        if (str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value") and "Default" in spec)
        or (spec.get("Type") == "String" and str(spec.get("Default", "")).startswith(PREFIX))
    }
    exposed = set()
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::SSM::Parameter":
            written = resource["Properties"]["Name"]
            written = written.get("Fn::Sub", written) if isinstance(written, dict) else written
            exposed.add(written.removeprefix("/${AppName}/${EnvName}/"))
    return consumed, exposed


def test_every_service_with_a_template_declares_itself():
    declared = {c.name for c in ServiceMap.load(REPO).components if c.deploy not in (None, "shared")}
    assert declared == set(SERVICE_TEMPLATES)


@pytest.mark.parametrize("name", SERVICE_TEMPLATES)
def test_the_declaration_matches_the_template(name):
    component = ServiceMap.load(REPO)[name]
    consumed, exposed = template_ssm(name)
    assert {i.removeprefix("ssm:") for i in component.consumes if i.startswith("ssm:")} == consumed
    assert {i.removeprefix("ssm:") for i in component.exposes if i.startswith("ssm:")} == exposed


@pytest.mark.parametrize("name", SERVICE_TEMPLATES)
def test_its_test_paths_exist(name):
    for path in ServiceMap.load(REPO)[name].tests:
        assert (REPO / path).exists(), f"{name}: test path {path} does not exist"


def test_the_layers_stack_writes_what_the_shared_component_exposes():
    exposed = set()
    for resource in load_template("layers/template.yaml")["Resources"].values():
        if resource["Type"] == "AWS::SSM::Parameter":
            exposed.add("ssm:" + resource["Properties"]["Name"]["Fn::Sub"].removeprefix("/${AppName}/${EnvName}/"))
    assert exposed == ServiceMap.load(REPO)["shared"].exposes
