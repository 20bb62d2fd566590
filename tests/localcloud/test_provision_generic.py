"""Resource types public SAM apps declare beside their functions: secrets (generated values included),
dynamic references, the generic table (logs, KMS, alarms, buses, ECR, VPCs), Ref and GetAtt in the form
CloudFormation documents, and types localcloud does not emulate named while the rest starts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.provisioning import client, deploy, moto_server

TEMPLATE = Path(__file__).parent / "templates" / "generic_resources" / "template.yaml"


@pytest.fixture(scope="module")
def stack():
    with moto_server() as url:
        yield url, deploy(url, TEMPLATE)


def test_everything_but_the_unemulated_type_is_created_without_errors(stack):
    _, d = stack
    assert d.errors == []
    assert d.not_emulated == ["Graph (AWS::AppSync::GraphQLApi)"]


def test_a_generated_secret_follows_its_template_and_options(stack):
    url, d = stack
    value = client(url, "secretsmanager").get_secret_value(SecretId=d.find("", "DbSecret").ref)["SecretString"]
    document = json.loads(value)
    assert document["username"] == "app"
    assert len(document["password"]) == 24 and not set(document["password"]) & set('"@/\\')


def test_generated_secrets_are_not_derived_from_the_template(tmp_path):
    values = []
    for _ in range(2):
        with moto_server() as url:
            d = deploy(url, TEMPLATE)
            secret = client(url, "secretsmanager").get_secret_value(SecretId=d.find("", "DbSecret").ref)
            values.append((d.find("", "DbSecret").ref, json.loads(secret["SecretString"])["password"]))
    (arn_1, password_1), (arn_2, password_2) = values
    assert arn_1 == arn_2, "the ARN derives from stack and logical id, as every other id"
    assert password_1 != password_2


def test_a_secret_ref_is_its_arn_and_iam_gets_that_arn(stack):
    url, d = stack
    secret_arn = d.find("", "DbSecret").ref
    assert re.fullmatch(r"arn:aws:secretsmanager:us-east-1:123456789012:secret:fixture-DbSecret-\w+-\w{6}", secret_arn)
    assert d.outputs[""]["SecretArn"] == secret_arn
    role = d.find("", "ReadSecretRole").ref
    policy = client(url, "iam").get_role_policy(RoleName=role, PolicyName="read")["PolicyDocument"]
    assert policy["Statement"][0]["Resource"] == secret_arn


def test_dynamic_references_resolve_ssm_parameters_and_secret_keys_inside_longer_strings(stack):
    url, _ = stack
    ssm = client(url, "ssm")
    assert ssm.get_parameter(Name="/fixture/from-parameter")["Parameter"]["Value"] == "hello and hello"
    assert ssm.get_parameter(Name="/fixture/from-secret")["Parameter"]["Value"] == "user=app key=plain-key"


@pytest.mark.parametrize(
    ("logical_id", "ref", "attrs"),
    [
        ("Logs", r"/fixture/logs", {"Arn": r"arn:aws:logs:us-east-1:123456789012:log-group:/fixture/logs:\*"}),
        ("Key", r"[0-9a-f-]{36}", {"Arn": r"arn:aws:kms:us-east-1:123456789012:key/[0-9a-f-]{36}"}),
        ("KeyAlias", r"alias/fixture", {}),
        ("Errors", r"fixture-Errors-\w+", {"Arn": r"arn:aws:cloudwatch:us-east-1:\d{12}:alarm:fixture-Errors-.+"}),
        ("Bus", r"fixture-bus", {"Arn": r"arn:aws:events:us-east-1:123456789012:event-bus/fixture-bus"}),
        ("Images", r"fixture-images-\w+", {"RepositoryUri": r"123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com/.+"}),
        ("Network", r"vpc-\w+", {"DefaultSecurityGroup": r"sg-\w+"}),
        ("Private", r"subnet-\w+", {"VpcId": r"vpc-\w+"}),
        ("Firewall", r"sg-\w+", {"GroupId": r"sg-\w+"}),
        ("Greeting", r"/fixture/greeting", {}),
        ("ApiKeySecret", r"arn:aws:secretsmanager:.+:secret:fixture/api-key-\w{6}", {"Id": r"arn:aws:.+"}),
    ],
)
def test_ref_and_get_att_take_the_documented_form(stack, logical_id, ref, attrs):
    _, d = stack
    resource = d.find("", logical_id)
    assert re.fullmatch(ref, resource.ref), resource.ref
    for name, pattern in attrs.items():
        assert re.fullmatch(pattern, resource.attrs[name]), (name, resource.attrs[name])


def test_the_generic_resources_exist_in_the_local_aws(stack):
    url, d = stack
    group = client(url, "logs").describe_log_groups(logGroupNamePrefix="/fixture/logs")["logGroups"][0]
    assert group["retentionInDays"] == 7
    key_id = client(url, "kms").describe_key(KeyId="alias/fixture")["KeyMetadata"]["KeyId"]
    assert key_id == d.find("", "Key").ref
    alarm = client(url, "cloudwatch").describe_alarms(AlarmNames=[d.find("", "Errors").ref])["MetricAlarms"][0]
    assert (alarm["Threshold"], alarm["Period"]) == (0.0, 60)
    assert client(url, "events").describe_event_bus(Name="fixture-bus")["Name"] == "fixture-bus"
    subnet = client(url, "ec2").describe_subnets(SubnetIds=[d.find("", "Private").ref])["Subnets"][0]
    assert subnet["VpcId"] == d.find("", "Network").ref


def test_a_dynamic_reference_to_nothing_fails_that_resource_by_name(tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n"
        "  Missing:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Type: String, Value: '{{resolve:ssm:/nowhere}}'}\n"
        "  NoKey:\n    Type: AWS::SSM::Parameter\n"
        "    Properties: {Type: String, Value: !Sub '{{resolve:secretsmanager:${S}:SecretString:nokey}}'}\n"
        "  S:\n    Type: AWS::SecretsManager::Secret\n    Properties: {SecretString: '{\"a\": 1}'}\n"
        "  Fine:\n    Type: AWS::SQS::Queue\n"
    )
    with moto_server() as url:
        d = deploy(url, template)
    assert len(d.errors) == 2
    missing, no_key = sorted(d.errors)
    expected = "Missing (AWS::SSM::Parameter): {{resolve:ssm:/nowhere}}: SSM parameter /nowhere does not exist"
    assert missing.startswith(expected)
    assert no_key.startswith("NoKey (AWS::SSM::Parameter):") and "has no key nokey" in no_key
    assert d.find("", "Fine") is not None
