"""Input, InputPath and InputTransformer (localcloud.eventbridge.transform), on the documentation's
EC2 example and its quoting rules."""

from __future__ import annotations

import json

import pytest

from localcloud.eventbridge.transform import RuleContext, TransformError, target_input, validate_target_input

EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"a": 'b"c'}},
}
CONTEXT = RuleContext("arn:aws:events:us-east-1:123456789012:rule/r1", "r1", "2015-11-11T21:29:55Z")
PATHS = {"instance": "$.detail.instance-id", "state": "$.detail.state"}


def transformed(template: str, paths: dict | None = None) -> str:
    target = {"Id": "t", "InputTransformer": {"InputPathsMap": PATHS if paths is None else paths,
                                              "InputTemplate": template}}  # fmt: skip
    validate_target_input(target)
    return target_input(target, EVENT, CONTEXT)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('"<instance> is in state <state>"', '"i-0123456789 is in state RUNNING"'),
        ('"<instance> is in state \\"<state>\\""', '"i-0123456789 is in state \\"RUNNING\\""'),
        ('{"instance" : <instance>, "state": <state>}', '{"instance" : "i-0123456789", "state": "RUNNING"}'),
        ('{"instance" : "<instance>", "state": "<state>"}', '{"instance" : "i-0123456789", "state": "RUNNING"}'),
        ('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}',
         '{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}'),
        ('{"message": "<instance> is in <state>"}', '{"message": "i-0123456789 is in RUNNING"}'),
        ("instance <instance> is in <state>", "instance i-0123456789 is in RUNNING"),
        ('{"kept": "<unknown>"}', '{"kept": "<unknown>"}'),
    ],
)  # fmt: skip
def test_documented_templates(template, expected):
    assert transformed(template) == expected


def test_non_string_values_are_json_outside_strings_and_escaped_inside():
    paths = {"count": "$.detail.count", "tags": "$.detail.tags", "gone": "$.detail.missing"}
    out = transformed('{"n": <count>, "t": <tags>, "s": "<tags>", "g": <gone>, "q": "[<gone>]"}', paths)
    assert json.loads(out) == {"n": 3, "t": {"a": 'b"c'}, "s": '{"a": "b\\"c"}', "g": None, "q": "[]"}


def test_reserved_variables():
    out = json.loads(
        transformed(
            '{"arn": "<aws.events.rule-arn>", "name": "<aws.events.rule-name>", '
            '"at": "<aws.events.event.ingestion-time>", "head": <aws.events.event>, "all": <aws.events.event.json>}',
            {},
        )
    )
    assert out["arn"] == CONTEXT.rule_arn and out["name"] == "r1" and out["at"] == CONTEXT.ingestion_time
    assert out["all"] == EVENT and "detail" not in out["head"] and out["head"]["id"] == EVENT["id"]


def test_input_inputpath_and_the_whole_event():
    assert target_input({"Input": '{"fixed": 1}'}, EVENT, CONTEXT) == '{"fixed": 1}'
    assert json.loads(target_input({"InputPath": "$.detail"}, EVENT, CONTEXT)) == EVENT["detail"]
    assert json.loads(target_input({"InputPath": "$.resources[0]"}, EVENT, CONTEXT)) == EVENT["resources"][0]
    assert json.loads(target_input({"InputPath": "$.detail.*"}, EVENT, CONTEXT))[:2] == ["i-0123456789", "RUNNING"]
    assert json.loads(target_input({}, EVENT, CONTEXT)) == EVENT


@pytest.mark.parametrize(
    "target",
    [
        {"Id": "t", "Input": "{}", "InputPath": "$.detail"},
        {"Id": "t", "Input": "{not json"},
        {"Id": "t", "InputPath": "detail"},
        {"Id": "t", "InputTransformer": {"InputPathsMap": {"aws.events.rule-arn": "$.id"}, "InputTemplate": "x"}},
        {"Id": "t", "InputTransformer": {"InputPathsMap": {"a": "$..deep"}, "InputTemplate": "x"}},
        {"Id": "t", "InputTransformer": {"InputPathsMap": {"a": "$.id"}}},
    ],
)
def test_bad_target_input_is_refused(target):
    with pytest.raises(TransformError):
        validate_target_input(target)
