"""`python -m tools.changes` against moto's CloudFormation: the calls it makes are ones CloudFormation takes.

moto has no nested change sets (test_changes.py replays recorded ones for those), but it does create,
describe and delete change sets: here the tool creates one for a stack that exists and one for a stack
that does not, reads it back, and leaves every stack as it was. Nothing is ever executed.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tools import changes

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  EnvName: {Type: String, Default: dev}
  Retention: {Type: String, Default: "30"}
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "work-${EnvName}"
"""
TOPIC = "  Events:\n    Type: AWS::SNS::Topic\n"


@pytest.fixture
def aws(monkeypatch, tmp_path):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    (tmp_path / "samconfig.toml").write_text('[default.deploy.parameters]\ncapabilities = "CAPABILITY_IAM"\n')
    with mock_aws():
        yield boto3.session.Session(region_name="us-east-1")


def preview(session, tmp_path, body: str, *flags: str) -> int:
    (tmp_path / "packaged.yaml").write_text(body)
    argv = ["--stack-name", "demo", "--template-file", str(tmp_path / "packaged.yaml"), "--region", "us-east-1"]
    argv += ["--samconfig", str(tmp_path / "samconfig.toml"), "--poll-seconds", "0"]
    return changes.main([*argv, "--parameter-overrides", "EnvName=prod", *flags], session=session)


def test_a_new_stack_is_previewed_and_never_created(aws, tmp_path, capsys):
    assert preview(aws, tmp_path, TEMPLATE) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "  Add      Work  AWS::SQS::Queue"
    assert lines[-1] == "1 change set, 1 change (1 Add); 0 replacements"
    cloudformation = aws.client("cloudformation")
    (stack,) = cloudformation.describe_stacks(StackName="demo")["Stacks"]
    assert stack["StackStatus"] == "REVIEW_IN_PROGRESS"  # a CREATE change set, not a stack
    assert aws.client("sqs").list_queues().get("QueueUrls") is None


def test_an_existing_stack_keeps_its_values_and_resources_and_delete_leaves_no_change_set(aws, tmp_path, capsys):
    cloudformation = aws.client("cloudformation")
    cloudformation.create_stack(
        StackName="demo", TemplateBody=TEMPLATE, Parameters=[{"ParameterKey": "Retention", "ParameterValue": "90"}]
    )
    assert preview(aws, tmp_path, TEMPLATE + TOPIC, "--json", "--delete") == 0
    out = json.loads(capsys.readouterr().out)
    assert [(c["action"], c["logical_id"]) for c in out["change_set"]["changes"]] == [("Add", "Events")]
    (stack,) = cloudformation.describe_stacks(StackName="demo")["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "EnvName": "dev",
        "Retention": "90",
    }
    assert cloudformation.list_change_sets(StackName="demo")["Summaries"] == []
    assert aws.client("sns").list_topics()["Topics"] == []
