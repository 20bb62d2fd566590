"""Firehose prefixes and object names, by the developer guide's rules and examples."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from localcloud.firehose import names

AT = datetime(2018, 8, 27, 10, 30, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        (None, "2018/08/27/10/"),
        ("myFirehosePrefix/", "myFirehosePrefix/2018/08/27/10/"),
        ("views/!{timestamp:yyyy/MM/dd}/", "views/2018/08/27/"),
        ("y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/h=!{timestamp:HH}/", "y=2018/m=08/d=27/h=10/"),
        ("dt=!{timestamp:yyyy'-'MM'-'dd}/", "dt=2018-08-27/"),
        ("!{timestamp:'year='yyyy'/month='MM}/", "year=2018/month=08/"),
    ],
)
def test_a_prefix_evaluates_at_the_instant_with_the_default_timestamp_when_it_has_none(prefix, expected):
    assert names.evaluate(names.data_prefix(prefix), AT) == expected


def test_the_error_prefix_defaults_under_the_prefix_and_names_the_error_type():
    template = names.error_prefix("myFirehosePrefix/", None)
    assert names.evaluate(template, AT, error_type="processing-failed") == (
        "myFirehosePrefix/processing-failed/2018/08/27/10/"
    )
    given = "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/"
    assert names.evaluate(names.error_prefix("x/", given), AT, error_type="processing-failed") == (
        "errors/processing-failed/2018/08/27/"
    )


def test_random_strings_are_eleven_characters_and_new_each_time():
    evaluated = names.evaluate("r=!{firehose:random-string}/!{firehose:random-string}/", AT)
    first, second = evaluated.removeprefix("r=").strip("/").split("/")
    assert len(first) == len(second) == 11
    assert first != second


@pytest.mark.parametrize(
    ("prefix", "error_prefix", "rule"),
    [
        ("!{timestamp:yyyy}/", None, "can't be null"),
        ("a/!{firehose:error-output-type}/", "e/!{firehose:error-output-type}/", "can't contain"),
        ("a/", "e/!{timestamp:yyyy}/", "must include"),
        ("a/!{foo:bar}/", "e/!{firehose:error-output-type}", "unknown namespace"),
        ("a/!{firehose:nope}/", "e/!{firehose:error-output-type}", "random-string and error-output-type"),
        ("a/!{partitionKeyFromQuery:id}/", "e/!{firehose:error-output-type}", "dynamic partitioning"),
        ("a/!{timestamp:yyyy/", "e/!{firehose:error-output-type}", "only appear in"),
        ("a/!{timestamp:qq}/", "e/!{firehose:error-output-type}", "not supported"),
        ("x" * 600, None, "longer than 512"),
    ],
)
def test_prefixes_firehose_refuses_are_refused(prefix, error_prefix, rule):
    with pytest.raises(names.PrefixError, match=rule):
        names.check(prefix, error_prefix)


def test_valid_pairs_pass():
    names.check(None, None)
    names.check("plain/", None)
    names.check("views/!{timestamp:yyyy/MM/dd}/", "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/")


def test_the_object_name_is_stream_version_time_and_a_uuid():
    key = names.object_key("views/2018/08/27/", "archive", "1", AT, ".gz")
    assert re.fullmatch(r"views/2018/08/27/archive-1-2018-08-27-10-30-05-[0-9a-f-]{36}\.gz", key), key


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("yyyy-MM-dd HH:mm:ss", "2018-08-27 10:30:05"),
        ("yy/M/d/H", "18/8/27/10"),
        ("MMM MMMM EEE EEEE", "Aug August Mon Monday"),
        ("DDD", "239"),
        ("hh a", "10 AM"),
        ("'it''s' yyyy", "it's 2018"),
        ("''", "'"),
    ],
)
def test_java_patterns(pattern, expected):
    assert names.java_format(pattern, AT) == expected
