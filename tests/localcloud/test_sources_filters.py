"""Lambda event filtering patterns and batch-response parsing (pure functions, no server)."""

from __future__ import annotations

import base64
import json

import pytest

from localcloud.model import InvokeResult
from localcloud.sources.filters import FilterError, Filters, kinesis_view, sqs_view
from localcloud.sources.outcome import ALL_FAILED, failed_items, parse_batch_item_failures


def passes(pattern: dict, record: dict) -> bool:
    return Filters.from_criteria({"Filters": [{"Pattern": json.dumps(pattern)}]}).match(record)


@pytest.mark.parametrize(
    ("pattern", "record", "expected"),
    [
        ({"eventName": ["INSERT"]}, {"eventName": "INSERT"}, True),
        ({"eventName": ["INSERT"]}, {"eventName": "MODIFY"}, False),
        ({"eventName": ["INSERT", "MODIFY"]}, {"eventName": "MODIFY"}, True),
        ({"n": [5]}, {"n": 5.0}, True),
        ({"n": [5]}, {"n": "5"}, False),
        ({"v": [None]}, {"v": None}, True),
        ({"v": [None]}, {}, False),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [True]}, {"flag": 1}, False),
        ({"s": [""]}, {"s": ""}, True),
        ({"key": [{"prefix": "uploads/"}]}, {"key": "uploads/a.jpg"}, True),
        ({"key": [{"prefix": "uploads/"}]}, {"key": "renditions/a.jpg"}, False),
        ({"key": [{"suffix": ".jpg"}]}, {"key": "a.JPG"}, False),
        ({"key": [{"suffix": {"equals-ignore-case": ".jpg"}}]}, {"key": "a.JPG"}, True),
        ({"key": [{"equals-ignore-case": "Hello"}]}, {"key": "hELLO"}, True),
        ({"status": [{"anything-but": ["draft", "deleted"]}]}, {"status": "published"}, True),
        ({"status": [{"anything-but": ["draft", "deleted"]}]}, {"status": "draft"}, False),
        ({"status": [{"anything-but": "draft"}]}, {"status": "draft"}, False),
        ({"status": [{"anything-but": {"prefix": "tmp-"}}]}, {"status": "tmp-1"}, False),
        ({"status": [{"anything-but": {"prefix": "tmp-"}}]}, {"status": "final"}, True),
        ({"status": [{"anything-but": ["x"]}]}, {}, False),
        ({"price": [{"numeric": [">", 0, "<=", 5]}]}, {"price": 5}, True),
        ({"price": [{"numeric": [">", 0, "<=", 5]}]}, {"price": 0}, False),
        ({"price": [{"numeric": ["=", 3.5]}]}, {"price": 3.5}, True),
        ({"price": [{"numeric": [">", 1]}]}, {"price": "7"}, False),
        ({"email": [{"exists": True}]}, {"email": "a@b"}, True),
        ({"email": [{"exists": True}]}, {}, False),
        ({"email": [{"exists": False}]}, {}, True),
        ({"email": [{"exists": False}]}, {"email": None}, False),
        ({"tags": ["red"]}, {"tags": ["blue", "red"]}, True),
        ({"tags": ["red"]}, {"tags": []}, False),
        ({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "2"}, True),
        ({"a": ["1"], "b": ["2"]}, {"a": "1", "b": "3"}, False),
        (
            {"dynamodb": {"NewImage": {"type": {"S": ["post"]}}}},
            {"dynamodb": {"NewImage": {"type": {"S": "post"}}}},
            True,
        ),
        ({"dynamodb": {"NewImage": {"type": {"S": ["post"]}}}}, {"dynamodb": {"OldImage": {}}}, False),
        ({"items": {"kind": ["x"]}}, {"items": [{"kind": "y"}, {"kind": "x"}]}, True),
    ],
)
def test_pattern_semantics(pattern, record, expected):
    assert passes(pattern, record) is expected


def test_filters_are_or_ed_and_no_filters_pass_everything():
    criteria = {"Filters": [{"Pattern": '{"a": ["1"]}'}, {"Pattern": '{"b": ["2"]}'}]}
    filters = Filters.from_criteria(criteria)
    assert filters.match({"b": "2"}) and filters.match({"a": "1"}) and not filters.match({"c": "3"})
    assert Filters.from_criteria(None).match({"anything": 1})


def test_sqs_body_is_parsed_as_json_or_kept_as_text():
    filters = Filters.from_criteria({"Filters": [{"Pattern": '{"body": {"type": ["PostPublished"]}}'}]})
    assert filters.match(sqs_view({"body": '{"type": "PostPublished"}'}))
    assert not filters.match(sqs_view({"body": "type=PostPublished"}))
    plain = Filters.from_criteria({"Filters": [{"Pattern": '{"body": [{"prefix": "hello"}]}'}]})
    assert plain.match(sqs_view({"body": "hello world"}))


def test_kinesis_data_is_base64_decoded_json():
    data = base64.b64encode(json.dumps({"path": "/posts/1"}).encode()).decode()
    filters = Filters.from_criteria({"Filters": [{"Pattern": '{"data": {"path": [{"prefix": "/posts/"}]}}'}]})
    assert filters.match(kinesis_view({"kinesis": {"data": data}}))
    other = base64.b64encode(b'{"path": "/about"}').decode()
    assert not filters.match(kinesis_view({"kinesis": {"data": other}}))


@pytest.mark.parametrize(
    "pattern",
    ['["not", "an", "object"]', '{"a": "bare string"}', '{"a": []}', '{"a": [{"unknown-op": 1}]}',
     '{"a": [{"numeric": [">"]}]}', '{"a": [{"exists": "yes"}]}', '{"a": [{"prefix": 3}]}', "{not json"],
)  # fmt: skip
def test_invalid_patterns_are_rejected(pattern):
    with pytest.raises((FilterError, ValueError)):
        Filters.from_criteria({"Filters": [{"Pattern": pattern}]})


IDS = ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": None}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m3"}]}, {"m2", "m3"}),
        ({"batchItemFailures": [{"itemIdentifier": "zz"}]}, ALL_FAILED),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, ALL_FAILED),
        ({"batchItemFailures": [{"itemIdentifier": None}]}, ALL_FAILED),
        ({"batchItemFailures": [{"id": "m1"}]}, ALL_FAILED),
        ({"batchItemFailures": "m1"}, ALL_FAILED),
        ("done", ALL_FAILED),
    ],
)
def test_batch_item_failures(payload, expected):
    assert parse_batch_item_failures(payload, IDS) == expected


def test_function_error_fails_everything_and_reporting_off_ignores_payload():
    error = InvokeResult(request_id="r", error={"errorType": "E", "errorMessage": "m"})
    assert failed_items(error, IDS, report_failures=True) is ALL_FAILED
    reported = InvokeResult(request_id="r", payload={"batchItemFailures": [{"itemIdentifier": "m1"}]})
    assert failed_items(reported, IDS, report_failures=False) == set()
    assert failed_items(reported, IDS, report_failures=True) == {"m1"}
