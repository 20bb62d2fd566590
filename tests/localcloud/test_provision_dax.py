"""DAX is not emulated: a template with EnableDax=true still provisions. The cluster's Ref and GetAtt values
resolve as CloudFormation documents them, the functions get its endpoint as an empty variable (so the table
providers use DynamoDB directly), and start-up says so in one line."""

from __future__ import annotations

import re

import pytest

from localcloud.provision import Provisioner
from tests.support.provisioning import client, moto_server
from tests.templates.cfn import ROOT

TODOS = ROOT / "services" / "todos" / "template.yaml"
SHARED_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:platform-dev-shared:7"
INPUTS = {
    "/platform/dev/shared/LayerArn": SHARED_ARN,
    "/platform/dev/identity/UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_x",
    "/platform/dev/identity/AuthenticatedRoleName": "authenticated",
}


@pytest.fixture(scope="module")
def deployment():
    with moto_server() as url:
        for name, value in INPUTS.items():
            client(url, "ssm").put_parameter(Name=name, Value=value, Type="String")
        client(url, "iam").create_role(RoleName="authenticated", AssumeRolePolicyDocument="{}")
        provisioner = Provisioner(
            aws=lambda s: client(url, s), region="us-east-1", account_id="123456789012", aws_endpoint=url
        )
        layers = {SHARED_ARN: ROOT / "layers" / "shared"}
        yield provisioner.deploy(TODOS, stack_name="todos", parameters={"EnableDax": "true"}, layers=layers)


def test_a_template_with_dax_on_provisions_without_errors(deployment):
    assert deployment.errors == []
    assert "DaxCluster (AWS::DAX::Cluster)" in deployment.not_emulated


def test_the_cluster_has_cloudformations_ref_and_attributes(deployment):
    cluster = deployment.find("", "DaxCluster")
    assert re.fullmatch(r"[a-z0-9-]{1,20}", cluster.ref)
    assert cluster.attrs["Arn"] == f"arn:aws:dax:us-east-1:123456789012:cache/{cluster.ref}"
    host = cluster.attrs["ClusterDiscoveryEndpoint"].removesuffix(":9111")  # TLS (ClusterEndpointEncryptionType)
    assert re.fullmatch(rf"{cluster.ref}\.[0-9a-f]{{6}}\.dax-clusters\.us-east-1\.amazonaws\.com", host)
    assert cluster.attrs["ClusterDiscoveryEndpointURL"] == f"daxs://{host}"


def test_the_functions_get_an_empty_dax_endpoint_and_still_carry_the_dax_layer(deployment):
    functions = {spec.address: spec for spec in deployment.functions.values()}
    for name in ("ReadTodosFunction", "WriteTodosFunction"):
        assert functions[name].environment["DAX_ENDPOINT"] == ""
        assert functions[name].environment["TABLE_NAME"] == deployment.find("", "TodosTable").ref
        assert ROOT / "layers" / "dax" in functions[name].layer_dirs


def test_one_line_says_dax_is_not_emulated_and_where_reads_go(deployment):
    (line,) = [n for n in deployment.notices if "DAX" in n]
    assert line.startswith("DAX is not emulated: DaxCluster's endpoint")
    assert "DynamoDB directly" in line


def test_the_cluster_arn_scopes_the_functions_dax_statements(deployment):
    """The IAM policies resolve against the cluster's ARN, as the DAX statements in the template name it."""
    arn = deployment.find("", "DaxCluster").attrs["Arn"]
    role = deployment.find("", "ReadTodosFunctionRole")
    statements = [s for p in role.properties["Policies"] for s in p["PolicyDocument"]["Statement"]]
    assert [s["Resource"] for s in statements if "dax:GetItem" in s["Action"]] == [arn]
