"""`python -m tools.changes` against recorded CloudFormation answers, served by botocore's Stubber.

The fixtures (tests/tooling/fixtures/change_set/) are describe-change-set answers for one root change set
created with IncludeNestedStacks: the root's changes come in two pages (NextToken), the Todos nested
stack's in two more, with a table replaced by a key-schema change, and the Identity nested stack has no
changes. moto's change sets have no nested stacks, so the answers are recorded and stubbed. Every stubbed
call must be made with exactly the expected arguments, and every answer must be used.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import boto3
from botocore.stub import Stubber

from tools import changes
from tools.change_set import artifact_bucket

FIXTURES = Path(__file__).parent / "fixtures" / "change_set"
ROOT_NAME = "changes-1764690000"
STACK = "platform-dev"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


ROOT_PAGES = [fixture("root-page-1"), fixture("root-page-2")]
TODOS_PAGES = [fixture("todos-page-1"), fixture("todos-page-2")]
IDENTITY = fixture("identity")
ROOT_ARN = ROOT_PAGES[0]["ChangeSetId"]


class Session:
    """A boto3 session whose clients are stubbed (no network, fake credentials)."""

    def __init__(self):
        kwargs = {"region_name": "us-east-1", "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        self.clients = {name: boto3.client(name, **kwargs) for name in ("cloudformation", "s3")}
        self.stubs = {name: Stubber(client) for name, client in self.clients.items()}

    def client(self, name: str, region_name=None):
        return self.clients[name]

    def __enter__(self):
        for stub in self.stubs.values():
            stub.activate()
        return self

    def __exit__(self, *exc):
        for stub in self.stubs.values():
            stub.deactivate()

    @property
    def cfn(self) -> Stubber:
        return self.stubs["cloudformation"]

    def done(self):
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


def expect_describe(session: Session, pages: list[dict], name: str, stack: str | None = None):
    args = {"ChangeSetName": name, **({"StackName": stack} if stack else {})}
    for i, page in enumerate(pages):
        token = {"NextToken": pages[i - 1]["NextToken"]} if i else {}
        session.cfn.add_response("describe_change_set", page, {**args, **token})


def expect_recorded_tree(session: Session, name: str = ROOT_NAME, stack: str | None = STACK):
    expect_describe(session, ROOT_PAGES, name, stack)
    expect_describe(session, TODOS_PAGES, ROOT_PAGES[0]["Changes"][0]["ResourceChange"]["ChangeSetId"])
    expect_describe(session, [IDENTITY], ROOT_PAGES[1]["Changes"][0]["ResourceChange"]["ChangeSetId"])


def run(session: Session, *argv: str) -> int:
    return changes.main([*argv, "--poll-seconds", "0"], session=session)


READ = ("--stack-name", STACK, "--change-set-name", ROOT_NAME)


def test_the_tree_shows_every_nested_stack_and_what_forces_each_replacement(capsys):
    with Session() as session:
        expect_recorded_tree(session)
        assert run(session, *READ) == 0
        session.done()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "platform-dev  changes-1764690000  CREATE_COMPLETE (AVAILABLE)"
    assert lines[1] == "  Modify   Todos  AWS::CloudFormation::Stack  replacement False  [Properties]"
    assert lines[2].strip() == "Properties.TemplateURL: recreation Never (Static DirectModification)"
    # The nested stack's change set sits under the change that holds it, its changes one level deeper.
    assert (
        lines[3]
        == "    platform-dev-Todos-1R8ZK3Q0W5XYD  changes-1764690000-Todos-1R8ZK3Q0W5XYD  CREATE_COMPLETE (AVAILABLE)"
    )
    assert lines[4] == "      Modify   TodosTable  AWS::DynamoDB::Table  replacement True  [Properties]"
    assert lines[5] == "          Properties.KeySchema: recreation Always (Static DirectModification)  <- replaces"
    assert lines[6] == "          Properties.AttributeDefinitions: recreation Never (Static DirectModification)"
    text = "\n".join(lines)
    assert "Dynamic  WriteTodosFunction  AWS::Lambda::Function  replacement Conditional" in text
    assert "Properties.VpcConfig: recreation Conditionally (Dynamic ParameterReference from EnableDax)" in text
    assert "Add      TodosAlarmTopic  AWS::SNS::Topic" in text
    assert "Remove   FilesBucket  AWS::S3::Bucket  policy Retain" in text
    assert "    platform-dev-Identity-1F4H6J8K0L2M  changes-1764690000-Identity-1F4H6J8K0L2M  no changes" in lines
    assert lines[-1] == (
        "3 change sets, 5 changes (1 Add, 1 Dynamic, 2 Modify, 1 Remove); 2 replacements: Todos/TodosTable, "
        "Todos/WriteTodosFunction (conditional); no changes in Identity"
    )


def test_json_nests_each_change_set_under_its_stack_change(capsys):
    with Session() as session:
        expect_recorded_tree(session)
        assert run(session, *READ, "--json") == 0
    out = json.loads(capsys.readouterr().out)
    root = out["change_set"]
    assert [c["logical_id"] for c in root["changes"]] == ["Todos", "Identity"]
    todos = root["changes"][0]["nested"]
    assert [c["logical_id"] for c in todos["changes"]] == [
        "TodosTable",
        "ReadTodosFunction",
        "WriteTodosFunction",
        "TodosAlarmTopic",
        "FilesBucket",
    ]
    key_schema = todos["changes"][0]["details"][0]
    assert (key_schema["attribute"], key_schema["name"], key_schema["recreation"]) == (
        "Properties",
        "KeySchema",
        "Always",
    )
    assert root["changes"][1]["nested"]["changes"] == []
    assert out["summary"]["replacements"] == [
        {"resource": "Todos/TodosTable", "replacement": "True"},
        {"resource": "Todos/WriteTodosFunction", "replacement": "Conditional"},
    ]
    assert out["summary"]["failed"] == []


def test_a_failed_nested_change_set_fails_the_run(capsys):
    broken = copy.deepcopy(IDENTITY)
    broken["StatusReason"] = "Parameter 'UserPoolArnParameter' must be one of AllowedValues"
    with Session() as session:
        expect_describe(session, ROOT_PAGES, ROOT_NAME, STACK)
        expect_describe(session, TODOS_PAGES, ROOT_PAGES[0]["Changes"][0]["ResourceChange"]["ChangeSetId"])
        expect_describe(session, [broken], IDENTITY["ChangeSetId"])
        assert run(session, *READ) == 1
    out = capsys.readouterr().out
    assert "FAILED: Parameter 'UserPoolArnParameter' must be one of AllowedValues" in out
    assert out.splitlines()[-1].endswith("; FAILED: Identity")


def test_a_root_with_no_changes_is_not_a_failure(capsys):
    empty = {**copy.deepcopy(IDENTITY), "StackName": STACK, "ChangeSetName": ROOT_NAME, "ChangeSetId": ROOT_ARN}
    empty.pop("ParentChangeSetId"), empty.pop("RootChangeSetId")
    with Session() as session:
        expect_describe(session, [empty], ROOT_NAME, STACK)
        assert run(session, *READ) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "platform-dev  changes-1764690000  no changes",
        "1 change set, 0 changes; 0 replacements; no changes in platform-dev",
    ]


def test_an_aws_refusal_is_one_line_and_exit_2(capsys):
    with Session() as session:
        session.cfn.add_client_error(
            "describe_change_set", "ChangeSetNotFound", f"ChangeSet [{ROOT_NAME}] does not exist", 404
        )
        assert run(session, *READ) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("changes: ") and "does not exist" in err[0]


PACKAGED = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  AppName: {Type: String, Default: platform}
  EnvName: {Type: String, Default: dev}
  EnableDax: {Type: String, Default: "false"}
  NewKnob: {Type: String, Default: "1"}
Resources:
  Todos:
    Type: AWS::Serverless::Application
    Properties:
      Location: https://s3.us-east-1.amazonaws.com/aws-sam-cli-managed-default-samclisourcebucket-abc123/4f1e.template
      Parameters: {EnvName: !Ref EnvName}
"""
EXISTING = {
    "StackName": STACK,
    "StackId": ROOT_PAGES[0]["StackId"],
    "CreationTime": "2026-11-30T09:00:00Z",
    "StackStatus": "UPDATE_COMPLETE",
    "Parameters": [
        {"ParameterKey": k, "ParameterValue": v}
        for k, v in {"AppName": "platform", "EnvName": "dev", "EnableDax": "false"}.items()
    ],
}


def create_args(tmp_path: Path, body: str = PACKAGED) -> list[str]:
    template = tmp_path / "packaged.yaml"
    template.write_text(body)
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text('[default.deploy.parameters]\ncapabilities = "CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"\n')
    return [
        "--stack-name", STACK, "--template-file", str(template), "--change-set-name", ROOT_NAME,
        "--samconfig", str(samconfig), "--parameter-overrides", "AppName=platform", "EnvName=dev",
    ]  # fmt: skip


def expected_create(change_set_type: str, parameters: list[dict], template: dict) -> dict:
    return {
        "StackName": STACK,
        "ChangeSetName": ROOT_NAME,
        "ChangeSetType": change_set_type,
        **template,
        "Parameters": parameters,
        "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        "IncludeNestedStacks": True,
        "Description": "make changes: a preview, never executed by it",
    }


OVERRIDES = [
    {"ParameterKey": "AppName", "ParameterValue": "platform"},
    {"ParameterKey": "EnvName", "ParameterValue": "dev"},
]


# As `sam deploy` does: an existing parameter not overridden keeps its value; a new one (NewKnob) takes its default.
PREVIOUS = [{"ParameterKey": "EnableDax", "UsePreviousValue": True}]


def test_create_includes_nested_stacks_keeps_previous_values_waits_and_never_executes(tmp_path, capsys):
    pending = {**copy.deepcopy(ROOT_PAGES[0]), "Status": "CREATE_IN_PROGRESS", "ExecutionStatus": "UNAVAILABLE"}
    pending.pop("NextToken"), pending.pop("Changes")
    with Session() as session:
        session.cfn.add_response("describe_stacks", {"Stacks": [EXISTING]}, {"StackName": STACK})
        session.cfn.add_response(
            "create_change_set",
            {"Id": ROOT_ARN, "StackId": EXISTING["StackId"]},
            expected_create("UPDATE", [*OVERRIDES, *PREVIOUS], {"TemplateBody": PACKAGED}),
        )
        session.cfn.add_response("describe_change_set", pending, {"ChangeSetName": ROOT_ARN})
        expect_recorded_tree(session, ROOT_ARN, None)
        assert run(session, *create_args(tmp_path)) == 0
        session.done()  # no execute_change_set, no delete_change_set was stubbed, so none was called
    assert "Todos/TodosTable" in capsys.readouterr().out


def test_a_new_stack_gets_a_create_change_set_and_delete_removes_it(tmp_path, capsys):
    with Session() as session:
        session.cfn.add_client_error("describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist", 400)
        session.cfn.add_response(
            "create_change_set",
            {"Id": ROOT_ARN, "StackId": EXISTING["StackId"]},
            expected_create("CREATE", OVERRIDES, {"TemplateBody": PACKAGED}),
        )
        expect_recorded_tree(session, ROOT_ARN, None)
        session.cfn.add_response("delete_change_set", {}, {"ChangeSetName": ROOT_ARN})
        assert run(session, *create_args(tmp_path), "--delete") == 0
        session.done()


class Matches:
    """Equal to any string that matches the pattern (a Stubber expectation for a generated name)."""

    def __init__(self, pattern: str):
        self.pattern = re.compile(pattern)

    def __eq__(self, other) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None


def test_a_template_over_the_body_limit_goes_through_the_artifact_bucket(tmp_path, capsys):
    body = PACKAGED + "".join(f"# padding line {i:05d} {'x' * 60}\n" for i in range(800))
    assert len(body) > 51_200
    bucket = "aws-sam-cli-managed-default-samclisourcebucket-abc123"
    key = r"changes/[0-9a-f]{64}\.template"
    with Session() as session:
        session.cfn.add_response("describe_stacks", {"Stacks": [EXISTING]}, {"StackName": STACK})
        session.stubs["s3"].add_response(
            "put_object", {}, {"Bucket": bucket, "Key": Matches(key), "Body": body.encode()}
        )
        url = Matches(rf"https://s3\.us-east-1\.amazonaws\.com/{bucket}/{key}")
        session.cfn.add_response(
            "create_change_set",
            {"Id": ROOT_ARN, "StackId": EXISTING["StackId"]},
            expected_create("UPDATE", [*OVERRIDES, *PREVIOUS], {"TemplateURL": url}),
        )
        expect_recorded_tree(session, ROOT_ARN, None)
        assert run(session, *create_args(tmp_path, body)) == 0
        session.done()


def test_the_artifact_bucket_is_read_from_either_form_sam_package_writes():
    assert artifact_bucket("CodeUri: s3://aws-sam-cli-managed-default-samclisourcebucket-1x2y/abc\n") == (
        "aws-sam-cli-managed-default-samclisourcebucket-1x2y"
    )
    assert (
        artifact_bucket("Location: https://s3.eu-west-1.amazonaws.com/my-artifacts/4f1e.template\n") == "my-artifacts"
    )
    assert artifact_bucket("Resources: {}\n") is None
