"""No `*` action and no `*` resource in any policy we write ourselves.

SAM policy templates (DynamoDBReadPolicy, SQSPollerPolicy, ...) are AWS's own least-privilege statements and
are left to SAM; every statement written inline in a function's Policies, a role or a policy is counted
here. An Allow on `*` or on `service:*` counts, as does an Allow on resource `*`. The count must be 0.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.templates.cfn import ALL_TEMPLATES, load_template


def branches(value) -> Iterator:
    """A value, or each branch of an Fn::If (a statement list may hold conditional statements)."""
    if isinstance(value, dict) and "Fn::If" in value:
        for branch in value["Fn::If"][1:]:
            yield from branches(branch)
    elif isinstance(value, list):
        for item in value:
            yield from branches(item)
    elif isinstance(value, dict):
        yield value


def inline_statements(template: dict) -> Iterator[tuple[str, dict]]:
    for name, resource in (template.get("Resources") or {}).items():
        props = resource.get("Properties") or {}
        kind = resource.get("Type")
        documents = []
        if kind == "AWS::Serverless::Function":
            documents = [p for p in branches(props.get("Policies") or []) if "Statement" in p]
        elif kind == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in branches(props.get("Policies") or [])]
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            documents = [props["PolicyDocument"]]
        for document in documents:
            for statement in branches(document.get("Statement") or []):
                yield name, statement


def wildcards(statement: dict) -> list[str]:
    if statement.get("Effect") != "Allow":
        return []
    as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
    found = [f"action {a}" for a in as_list(statement.get("Action", [])) if a == "*" or str(a).endswith(":*")]
    found += [f"resource {r}" for r in as_list(statement.get("Resource", [])) if r == "*"]
    return found


@pytest.mark.parametrize("path", ALL_TEMPLATES)
def test_no_wildcard_in_the_policies_we_write(path):
    offenders = [
        f"{name}: {hit}" for name, statement in inline_statements(load_template(path)) for hit in wildcards(statement)
    ]
    assert offenders == [], f"{path}: {len(offenders)} wildcards: {offenders}"


def test_the_counter_sees_a_wildcard():
    template = {
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Policies": [
                        {"SQSPollerPolicy": {"QueueName": "q"}},
                        {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]},
                        {"Fn::If": ["C", {"Statement": [{"Effect": "Allow", "Action": "x:Y", "Resource": "*"}]}, {}]},
                    ]
                },
            }
        }
    }
    hits = [hit for _, statement in inline_statements(template) for hit in wildcards(statement)]
    assert hits == ["action s3:*", "resource *"]
