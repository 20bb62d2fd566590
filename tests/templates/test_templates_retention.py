"""Every resource that holds data nobody can recreate from a template outlives its stack.

Deleting a stack, or a change that replaces a resource, deletes it under CloudFormation's default policy.
Before, the identity stack's user pool had no policy: one `sam delete` or a replacing change (a renamed
attribute schema) deleted every user. Each type below is retained on delete and on replacement.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.templates.cfn import ROOT, load_template

STATEFUL = {
    "AWS::Cognito::UserPool": "users, their passwords and attributes",
    "AWS::Cognito::UserPoolGroup": "who is in the group (admins write the blog)",
    "AWS::Cognito::IdentityPool": "identity ids, which key every user's S3 folder",
    "AWS::DynamoDB::Table": "items",
    "AWS::DynamoDB::GlobalTable": "items",
    "AWS::Serverless::SimpleTable": "items",
    "AWS::S3::Bucket": "objects",
    "AWS::KMS::Key": "the only way to read what it encrypted",
    "AWS::EFS::FileSystem": "files",
    "AWS::RDS::DBCluster": "rows",
    "AWS::RDS::DBInstance": "rows",
}
TEMPLATES = ["template.yaml", *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/template.yaml"))]


def _stateful_resources() -> list:
    cases = []
    for relative in TEMPLATES:
        for name, resource in load_template(relative)["Resources"].items():
            if resource["Type"] in STATEFUL:
                cases.append(pytest.param(relative, name, id=f"{Path(relative).parent.name or 'root'}-{name}"))
    return cases


def test_the_known_stateful_resources_are_found():
    found = {(relative, name) for relative, name in (case.values for case in _stateful_resources())}
    assert {
        ("services/identity/template.yaml", "UserPool"),
        ("services/identity/template.yaml", "IdentityPool"),
        ("services/todos/template.yaml", "TodosTable"),
        ("services/todos/template.yaml", "FilesBucket"),
    } <= found


@pytest.mark.parametrize(("relative", "name"), _stateful_resources())
def test_stateful_resource_is_retained_on_delete_and_on_replacement(relative, name):
    resource = load_template(relative)["Resources"][name]
    holds = STATEFUL[resource["Type"]]
    assert resource.get("DeletionPolicy") == "Retain", f"{relative} {name} would delete {holds} with the stack"
    assert resource.get("UpdateReplacePolicy") == "Retain", f"{relative} {name} would delete {holds} on replacement"
