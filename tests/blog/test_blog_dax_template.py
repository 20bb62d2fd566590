"""EnableDax for the blog, as todos has it: a conditional DAX cluster in front of the posts table for the two
API functions only (read-posts, write-posts), the DAX client in its own layer attached only when DAX is on,
`DAX_ENDPOINT` set from the cluster, and dax: actions scoped to the cluster. render-site and the stream
consumers keep reading DynamoDB directly, so a page rendered after a change sees that change."""

from __future__ import annotations

import pytest

from localcloud.intrinsics import Resolver
from localcloud.template import transform
from tests.templates.cfn import ROOT, load_template

TEMPLATE = ROOT / "services" / "blog" / "template.yaml"
SHARED_ARN = "arn:aws:lambda:us-east-1:123456789012:layer:platform-dev-shared:7"
API_FUNCTIONS = ("ReadPostsFunction", "WritePostsFunction")
DAX_TYPES = {"AWS::DAX::Cluster", "AWS::DAX::SubnetGroup", "AWS::Lambda::LayerVersion", "AWS::EC2::SecurityGroup"}


def requirement_names(path) -> set[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {line.split("==")[0].lower() for line in lines if line}


def resolved(enable_dax: str) -> tuple[dict, Resolver]:
    """The template after the SAM transform, with a resolver that names what each Ref and GetAtt points at."""
    parameters = {"EnableDax": enable_dax, "LayerArnParameter": SHARED_ARN, "DaxSubnetIds": "subnet-1,subnet-2",
                  "DaxVpcId": "vpc-1"}  # fmt: skip
    template = transform(TEMPLATE, parameters).template
    resources = template["Resources"]
    resolver = Resolver(
        parameters={**parameters, "DaxSubnetIds": ["subnet-1", "subnet-2"], "GlobalTableReplicaRegions": [""]},
        pseudo={"AWS::Region": "us-east-1", "AWS::StackId": "stack", "AWS::AccountId": "123456789012"},
        conditions=template["Conditions"],
        ref=lambda logical_id: f"ref:{logical_id}",
        get_att=lambda logical_id, attribute: f"getatt:{logical_id}.{attribute}",
    )
    return resources, resolver


def present(resources: dict, resolver: Resolver) -> dict:
    return {k: r for k, r in resources.items() if "Condition" not in r or resolver.condition(r["Condition"])}


def test_the_dax_client_is_in_the_dax_layer_and_in_no_function_package():
    layer = load_template("services/blog/template.yaml")["Resources"]["DaxLayer"]
    assert layer["Condition"] == "UseDax"
    assert (TEMPLATE.parent / layer["Properties"]["ContentUri"]).resolve() == ROOT / "layers" / "dax"
    assert "amazon-dax-client" in requirement_names(ROOT / "layers" / "dax" / "requirements.txt")
    for requirements in (ROOT / "services" / "blog").rglob("requirements.txt"):
        assert "amazon-dax-client" not in requirement_names(requirements), requirements


def test_with_dax_off_there_is_no_cluster_no_layer_and_an_empty_endpoint():
    resources, resolver = resolved("false")
    kept = present(resources, resolver)
    assert not [k for k, r in kept.items() if r["Type"].startswith("AWS::DAX::")]
    assert not [k for k, r in kept.items() if r["Type"] == "AWS::EC2::SecurityGroup"]
    assert [k for k, r in kept.items() if r["Type"] == "AWS::Lambda::LayerVersion" and "Dax" in k] == []
    for name in API_FUNCTIONS:
        props = resolver.resolve(resources[name]["Properties"])
        assert props["Environment"]["Variables"]["DAX_ENDPOINT"] == ""
        assert "VpcConfig" not in props
        assert dax_statements(resources, resolver, name) == []


def test_with_dax_on_the_api_functions_get_the_layer_the_endpoint_and_the_vpc():
    resources, resolver = resolved("true")
    kept = present(resources, resolver)
    assert {r["Type"] for k, r in kept.items() if k.startswith("Dax")} >= DAX_TYPES - {"AWS::Lambda::LayerVersion"}
    dax_layers = [k for k, r in kept.items() if r["Type"] == "AWS::Lambda::LayerVersion" and k.startswith("DaxLayer")]
    assert len(dax_layers) == 1
    read = resolver.resolve(resources["ReadPostsFunction"]["Properties"])
    write = resolver.resolve(resources["WritePostsFunction"]["Properties"])
    assert read["Layers"] == [SHARED_ARN, f"ref:{dax_layers[0]}"]
    (markdown,) = [k for k in kept if k.startswith("MarkdownLayer")]
    assert write["Layers"] == [SHARED_ARN, f"ref:{markdown}", f"ref:{dax_layers[0]}"]
    for props in (read, write):
        assert props["Environment"]["Variables"]["DAX_ENDPOINT"] == "getatt:DaxCluster.ClusterDiscoveryEndpointURL"
        assert props["VpcConfig"] == {"SubnetIds": ["subnet-1", "subnet-2"],
                                      "SecurityGroupIds": ["ref:DaxClientSecurityGroup"]}  # fmt: skip


def test_only_the_api_functions_use_dax():
    resources, resolver = resolved("true")
    functions = {k: resolver.resolve(r["Properties"]) for k, r in present(resources, resolver).items()
                 if r["Type"] == "AWS::Lambda::Function"}  # fmt: skip
    users = {k for k, p in functions.items() if (p.get("Environment") or {}).get("Variables", {}).get("DAX_ENDPOINT")}
    assert users == set(API_FUNCTIONS)
    with_layer = {k for k, p in functions.items() if any("DaxLayer" in str(layer) for layer in p.get("Layers") or [])}
    assert with_layer == set(API_FUNCTIONS)


def dax_statements(resources: dict, resolver: Resolver, function: str) -> list[dict]:
    role = resolver.resolve(resources[f"{function}Role"]["Properties"])
    statements = [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]
    return [s for s in statements if any(str(a).startswith("dax:") for a in _list(s["Action"]))]


def _list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize(
    ("function", "actions"),
    [
        ("ReadPostsFunction", {"dax:GetItem", "dax:Query", "dax:BatchGetItem"}),
        ("WritePostsFunction", {"dax:GetItem", "dax:Query", "dax:PutItem", "dax:UpdateItem", "dax:DeleteItem"}),
    ],
)
def test_dax_actions_are_the_functions_own_and_scoped_to_the_cluster(function, actions):
    resources, resolver = resolved("true")
    statements = dax_statements(resources, resolver, function)
    assert {a for s in statements for a in _list(s["Action"])} == actions
    assert {str(s["Resource"]) for s in statements} == {"getatt:DaxCluster.Arn"}


def test_the_cluster_reads_only_the_posts_table_and_is_reached_only_from_the_api_functions():
    resources, resolver = resolved("true")
    role = resolver.resolve(resources["DaxRole"]["Properties"])
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "dax.amazonaws.com"}
    (statement,) = role["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == ["getatt:PostsTable.Arn", "getatt:PostsTable.Arn/index/*"]
    assert all(a.startswith("dynamodb:") and "*" not in a for a in statement["Action"])
    cluster = resolver.resolve(resources["DaxCluster"]["Properties"])
    assert cluster["ClusterEndpointEncryptionType"] == "TLS" and cluster["SSESpecification"] == {"SSEEnabled": True}
    assert cluster["IAMRoleARN"] == "getatt:DaxRole.Arn"
    (ingress,) = resolver.resolve(resources["DaxSecurityGroup"]["Properties"])["SecurityGroupIngress"]
    assert ingress["SourceSecurityGroupId"] == "ref:DaxClientSecurityGroup"
    assert (ingress["FromPort"], ingress["ToPort"]) == (9111, 9111)  # DAX's TLS port


def test_the_root_passes_the_dax_switch_to_the_blog():
    blog = load_template("template.yaml")["Resources"]["Blog"]["Properties"]["Parameters"]
    assert blog["EnableDax"] == {"Ref": "EnableDax"}
    assert blog["DaxVpcId"] == {"Ref": "DaxSecurityGroupVpcId"}
    assert set(blog) <= set(load_template("services/blog/template.yaml")["Parameters"])
