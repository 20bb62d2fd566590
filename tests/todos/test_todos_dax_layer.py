"""The DAX client is a layer of its own (layers/dax), attached to the todos functions only when
EnableDax=true, through `Fn::If` on their Layers; with DAX off, localcloud gives each function the shared
layer alone and creates no DAX layer, as CloudFormation would."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud.intrinsics import Resolver
from localcloud.provision import Provisioner
from localcloud.template import transform
from tests.support.provisioning import client, moto_server
from tests.templates.cfn import ROOT, load_template

TEMPLATE = ROOT / "services" / "todos" / "template.yaml"
SHARED_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:platform-dev-shared:7"
FUNCTIONS = ("ReadTodosFunction", "WriteTodosFunction")


def requirement_names(path: Path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {line.split("==")[0].lower() for line in lines if line}


def test_the_dax_client_is_required_by_the_dax_layer_and_by_no_function():
    layer = load_template("services/todos/template.yaml")["Resources"]["DaxLayer"]
    assert layer["Condition"] == "UseDax"
    content = (TEMPLATE.parent / layer["Properties"]["ContentUri"]).resolve()
    assert content == ROOT / "layers" / "dax"
    assert "amazon-dax-client" in requirement_names(content / "requirements.txt")
    assert "amazon-dax-client" not in requirement_names(ROOT / "services" / "todos" / "src" / "requirements.txt")
    assert "amazon-dax-client" not in requirement_names(ROOT / "layers" / "shared" / "requirements.txt")


@pytest.mark.parametrize("enable_dax", ["true", "false"])
def test_localcloud_resolves_the_conditional_layers_list(enable_dax):
    """The Layers each function gets after the SAM transform, through localcloud's intrinsics."""
    parameters = {"EnableDax": enable_dax, "LayerArnParameter": SHARED_ARN}
    template = transform(TEMPLATE, parameters).template
    resources = template["Resources"]
    resolver = Resolver(
        parameters=parameters,
        pseudo={},
        conditions=template["Conditions"],
        ref=lambda logical_id: f"ref:{resources[logical_id]['Type']}",
    )
    expected = [SHARED_ARN, "ref:AWS::Lambda::LayerVersion"] if enable_dax == "true" else [SHARED_ARN]
    for name in FUNCTIONS:
        assert resolver.resolve(resources[name]["Properties"]["Layers"]) == expected, name
    dax_layers = [r for r in resources.values() if r["Type"] == "AWS::Lambda::LayerVersion"]
    assert [resolver.condition(r["Condition"]) for r in dax_layers] == [enable_dax == "true"]


def test_with_dax_off_localcloud_runs_each_function_on_the_shared_layer_alone():
    with moto_server() as url:
        ssm = client(url, "ssm")
        inputs = {
            "/platform/dev/shared/LayerArn": SHARED_ARN,
            "/platform/dev/identity/UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x",
            "/platform/dev/identity/AuthenticatedRoleName": "authenticated",
        }
        for name, value in inputs.items():
            ssm.put_parameter(Name=name, Value=value, Type="String")
        client(url, "iam").create_role(RoleName="authenticated", AssumeRolePolicyDocument="{}")
        provisioner = Provisioner(
            aws=lambda s: client(url, s), region="us-east-1", account_id="123456789012", aws_endpoint=url
        )
        shared = ROOT / "layers" / "shared"
        d = provisioner.deploy(TEMPLATE, stack_name="todos", parameters={}, layers={SHARED_ARN: shared})
    assert d.errors == []
    functions = {spec.address: spec for spec in d.functions.values()}
    assert {name: functions[name].layer_dirs for name in FUNCTIONS} == {name: [shared] for name in FUNCTIONS}
    assert d.layers == {} and d.find("", "DaxLayer") is None
