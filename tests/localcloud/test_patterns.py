"""The event pattern language (localcloud.patterns), on the examples of EventBridge's content-filtering
documentation and aws/event-ruler's README: every operator, arrays, $or, and what is rejected."""

from __future__ import annotations

import pytest

from localcloud.patterns import EVENTBRIDGE, LAMBDA, EventPattern, PatternError

# The documentation's sample event (EC2 instance state change), with a few fields added for arrays.
EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
        "FileName": "photos/Cat.PNG",
        "FilePath": "/usr/lib/libc.so",
        "empty": "",
        "nothing": None,
        "flag": False,
        "tags": ["blue", "red"],
        "nested": [["deep"]],
        "employees": [{"firstName": "John", "lastName": "Doe"}, {"firstName": "Anna", "lastName": "Smith"}],
        "c-obj": {"c1": 100},
        "v6": "2001:db8::1",
    },
}


def matches(pattern: dict, event: dict = EVENT) -> bool:
    return EventPattern(pattern).match(event)


def detail(**fields: list) -> dict:
    return {"detail": fields}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # simple matching: AND across fields, OR within a list, arrays intersect
        (
            {
                "detail-type": ["EC2 Instance State-change Notification"],
                "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
                "detail": {"state": ["initializing", "running"]},
            },
            True,
        ),
        ({"source": ["aws.ec2"], "detail": {"state": ["stopped"]}}, False),
        (detail(tags=["red"]), True),
        (detail(tags=["green"]), False),
        (detail(nested=["deep"]), True),
        # empty strings and null
        (detail(empty=[""]), True),
        (detail(nothing=[None]), True),
        (detail(state=[None]), False),
        (detail(missing=[None]), False),
        (detail(flag=[False]), True),
        (detail(flag=[0]), False),
        # exact numbers compare as numbers, never as strings
        (detail(**{"c-count": [5.0]}), True),
        (detail(**{"c-count": ["5"]}), False),
        # prefix / suffix / equals-ignore-case, plain and ignoring case
        ({"time": [{"prefix": "2017-10-02"}]}, True),
        ({"time": [{"prefix": "2017-10-03"}]}, False),
        ({"source": [{"prefix": {"equals-ignore-case": "AWS.EC"}}]}, True),
        (detail(FileName=[{"suffix": ".png"}]), False),
        (detail(FileName=[{"suffix": {"equals-ignore-case": ".png"}}]), True),
        ({"source": [{"equals-ignore-case": "AWS.EC2"}]}, True),
        (detail(**{"c-count": [{"prefix": "5"}]}), False),
        # wildcard
        (detail(FilePath=[{"wildcard": "*/lib/*"}]), True),
        (detail(FilePath=[{"wildcard": "*/bin/*"}]), False),
        ({"source": [{"wildcard": "aws.*"}]}, True),
        ({"source": [{"wildcard": "aws.ec2"}]}, True),
        ({"source": [{"wildcard": "aws"}]}, False),
        ({"detail": {"star": [{"wildcard": "a\\*b"}]}}, False),
        # anything-but: values, lists, and applied to prefix / suffix / equals-ignore-case / wildcard
        (detail(state=[{"anything-but": "initializing"}]), True),
        (detail(state=[{"anything-but": "running"}]), False),
        (detail(**{"x-limit": [{"anything-but": 123}]}), True),
        (detail(state=[{"anything-but": ["stopped", "overloaded"]}]), True),
        (detail(**{"x-limit": [{"anything-but": [100, 200, 301.8]}]}), False),
        (detail(state=[{"anything-but": {"prefix": "init"}}]), True),
        (detail(state=[{"anything-but": {"prefix": ["init", "run"]}}]), False),
        (detail(**{"instance-id": [{"anything-but": {"suffix": "1234"}}]}), True),
        (detail(**{"instance-id": [{"anything-but": {"suffix": ["1234", "000"]}}]}), False),
        (detail(state=[{"anything-but": {"equals-ignore-case": "RUNNING"}}]), False),
        (detail(state=[{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]), True),
        (detail(FilePath=[{"anything-but": {"wildcard": "*/lib/*"}}]), False),
        (detail(FilePath=[{"anything-but": {"wildcard": ["*/bin/*.jar", "*/bin/*.class"]}}]), True),
        (detail(missing=[{"anything-but": "x"}]), False),
        (detail(tags=[{"anything-but": "red"}]), True),  # "blue" is not excluded
        # numeric ranges
        (
            detail(
                **{
                    "c-count": [{"numeric": [">", 0, "<=", 5]}],
                    "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"numeric": ["=", 3.018e2]}],
                }
            ),
            True,
        ),
        (detail(**{"c-count": [{"numeric": [">", 5]}]}), False),
        (detail(**{"c-count": [{"numeric": [">=", 5]}]}), True),
        (detail(state=[{"numeric": [">", 0]}]), False),
        (detail(flag=[{"numeric": ["<", 1]}]), False),
        # IP addresses
        (detail(**{"source-ip": [{"cidr": "10.0.0.0/24"}]}), True),
        (detail(**{"source-ip": [{"cidr": "10.0.1.0/24"}]}), False),
        (detail(v6=[{"cidr": "2001:db8::/32"}]), True),
        (detail(state=[{"cidr": "10.0.0.0/8"}]), False),
        # exists: leaves only; null is present, an object is not a leaf
        (detail(**{"c-count": [{"exists": True}]}), True),
        (detail(**{"c-count": [{"exists": False}]}), False),
        (detail(missing=[{"exists": False}]), True),
        (detail(nothing=[{"exists": True}]), True),
        (detail(**{"c-obj": [{"exists": False}]}), True),
        # arrays of objects match element by element
        ({"detail": {"employees": {"firstName": ["Anna"]}}}, True),
        ({"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}}, True),
        ({"detail": {"employees": {"firstName": ["Anna"], "lastName": ["Doe"]}}}, False),
        # nested objects
        ({"detail": {"c-obj": {"c1": [100]}}}, True),
        ({"detail": {"state": {"inner": ["x"]}}}, False),
        # the documentation's complex example
        (
            {
                "time": [{"prefix": "2017-10-02"}],
                "detail": {
                    "state": [{"anything-but": "initializing"}],
                    "c-count": [{"numeric": [">", 0, "<=", 5]}],
                    "d-count": [{"numeric": ["<", 10]}],
                    "x-limit": [{"anything-but": [100, 200, 300]}],
                    "source-ip": [{"cidr": "10.0.0.0/8"}],
                },
            },
            True,
        ),
        # $or, at the top, nested, with an AND inside
        ({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["stopped"]}}, {"region": ["us-east-1"]}]}, True),
        ({"$or": [{"source": ["aws.s3"]}, {"region": ["eu-west-1"]}]}, False),
        (
            {
                "source": ["aws.ec2"],
                "$or": [
                    {"detail": {"state": ["stopped"]}},
                    {"detail": {"c-count": [5], "$or": [{"d-count": [1]}, {"d-count": [3]}]}},
                ],
            },
            True,
        ),
        ({"detail": {"$or": [{"state": ["running"]}, {"missing": ["x"]}]}}, True),
    ],
)
def test_documented_operators(pattern, expected):
    assert matches(pattern) is expected


def test_escaped_wildcards_match_literal_stars_and_backslashes():
    assert matches({"v": [{"wildcard": "a\\*b"}]}, {"v": "a*b"})
    assert not matches({"v": [{"wildcard": "a\\*b"}]}, {"v": "axxb"})
    assert matches({"v": [{"wildcard": "c:\\\\*"}]}, {"v": "c:\\temp"})
    assert matches({"v": [{"wildcard": "*"}]}, {"v": ""})


@pytest.mark.parametrize(
    "pattern",
    [
        {},
        {"source": "aws.ec2"},
        {"source": []},
        {"source": [{"unknown-op": 1}]},
        {"source": [{"prefix": 3}]},
        {"source": [{"prefix": "a", "suffix": "b"}]},
        {"source": [{"prefix": {"wildcard": "x"}}]},
        {"source": [{"wildcard": "a**b"}]},
        {"source": [{"wildcard": "a\\b"}]},
        {"source": [{"exists": "yes"}]},
        {"n": [{"numeric": [">"]}]},
        {"n": [{"numeric": ["~", 1]}]},
        {"n": [{"numeric": [">", 5, "<", 1]}]},
        {"n": [{"numeric": [">", 1, ">", 2]}]},
        {"n": [{"numeric": ["=", 1, "<", 2]}]},
        {"n": [{"numeric": [">", True]}]},
        {"s": [{"anything-but": ["a", 1]}]},
        {"s": [{"anything-but": []}]},
        {"s": [{"anything-but": None}]},
        {"s": [{"anything-but": {"numeric": [">", 1]}}]},
        {"s": [{"anything-but": {"prefix": ""}}]},
        {"s": [{"anything-but": {"equals-ignore-case": 1}}]},
        {"ip": [{"cidr": "not-a-network"}]},
        {"$or": [{"a": ["1"]}]},
        {"$or": [{"a": ["1"]}, "b"]},
        {"$or": [{"prefix": ["1"]}, {"b": ["2"]}]},
        {"detail": {}},
    ],
)
def test_invalid_patterns_are_rejected_with_a_reason(pattern):
    with pytest.raises(PatternError) as caught:
        EventPattern(pattern)
    assert str(caught.value)


def test_pattern_text_must_be_a_json_object():
    with pytest.raises(PatternError, match="not JSON"):
        EventPattern.parse("{not json")
    with pytest.raises(PatternError, match="object"):
        EventPattern.parse("[1, 2]")
    assert EventPattern.parse('{"source": ["aws.ec2"]}').match(EVENT)


def test_or_with_a_single_object_value_is_an_ordinary_field_name():
    pattern = EventPattern({"$or": {"a": ["1"]}})
    assert pattern.match({"$or": {"a": "1"}}) and not pattern.match({"a": "1"})


@pytest.mark.parametrize(
    "pattern",
    [
        {"v": [{"wildcard": "a*"}]},
        {"v": [{"cidr": "10.0.0.0/8"}]},
        {"v": [{"anything-but": {"wildcard": "a*"}}]},
        {"$or": [{"a": ["1"]}, {"b": ["2"]}]},
    ],
)
def test_lambda_filters_accept_only_lambdas_operators(pattern):
    EventPattern(pattern, EVENTBRIDGE)
    with pytest.raises(PatternError):
        EventPattern(pattern, LAMBDA)
