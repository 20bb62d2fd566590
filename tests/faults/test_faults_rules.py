"""Fault rules and error shapes, without a running instance: each injected error parses, with botocore's
own parser for the service's protocol, into the code and status the SDK would get from AWS; rules match
by service, action and resource glob, and spend their count."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.parsers import create_parser

from localcloud.faults.rules import Faults, Request, RuleError, parse_rule, short_names
from localcloud.faults.shapes import error_response

SESSION = botocore.session.get_session()


def parsed(service_model: str, operation: str, protocol: str, service: str, code: str | None = None) -> dict:
    model = SESSION.get_service_model(service_model)
    status, headers, body = error_response(service, protocol, code, None, None)
    response = {"status_code": int(status[:3]), "headers": {k.lower(): v for k, v in headers}, "body": body}
    output = model.operation_model(operation).output_shape
    return {"status": response["status_code"], **create_parser(model.protocol).parse(response, output)["Error"]}


@pytest.mark.parametrize(
    ("model", "operation", "protocol", "service", "code", "status"),
    [
        ("dynamodb", "PutItem", "json", "dynamodb", "ProvisionedThroughputExceededException", 400),
        ("ses", "SendEmail", "query", "ses", "Throttling", 400),
        ("sesv2", "SendEmail", "rest-json", "ses", "TooManyRequestsException", 429),
        ("lambda", "Invoke", "rest-json", "lambda", "TooManyRequestsException", 429),
        ("s3", "PutObject", "s3", "s3", "SlowDown", 503),
        ("kinesis", "PutRecord", "json", "kinesis", "ProvisionedThroughputExceededException", 400),
        ("sns", "Publish", "query", "sns", "Throttled", 429),
    ],
)
def test_the_default_error_is_the_services_throttle_in_its_protocol(model, operation, protocol, service, code, status):
    error = parsed(model, operation, protocol, service)
    assert error["Code"] == code and error["status"] == status and error["Message"]


def test_a_named_error_keeps_its_code_and_usual_status():
    assert parsed("sesv2", "SendEmail", "rest-json", "ses", "MessageRejected")["status"] == 400
    error = parsed("dynamodb", "PutItem", "json", "dynamodb", "InternalServerError")
    assert (error["Code"], error["status"]) == ("InternalServerError", 500)


def test_rules_match_service_action_and_resource_and_spend_their_count():
    faults = Faults()
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/todos-Table-1"
    rule = faults.add({"service": "dynamodb", "action": "Put*", "resource": "todos-*", "count": 2})
    assert faults.error_for(Request("dynamodb", "GetItem", short_names(table))) is None
    assert faults.error_for(Request("dynamodb", "PutItem", short_names("other"))) is None
    assert faults.error_for(Request("sqs", "PutItem", short_names(table))) is None
    assert faults.error_for(Request("dynamodb", "PutItem", short_names(table))).id == rule.id
    assert faults.error_for(Request("dynamodb", "PutItem", short_names(table))).id == rule.id
    assert faults.error_for(Request("dynamodb", "PutItem", short_names(table))) is None
    assert faults.listing()[0]["hits"] == 2 and faults.listing()[0]["count"] == 0


def test_probability_draws_once_per_matching_call():
    draws = iter([0.7, 0.2])
    faults = Faults(chance=lambda: next(draws))
    faults.add({"service": "sqs", "probability": 0.5})
    assert faults.error_for(Request("sqs", "SendMessage")) is None
    assert faults.error_for(Request("sqs", "SendMessage")) is not None


def test_function_rules_match_by_name_address_or_arn():
    faults = Faults()
    faults.add({"kind": "crash", "resource": "Shop/Worker"})
    faults.add({"kind": "delay", "resource": "*-Worker-*", "seconds": 2, "count": 1})
    names = ("shop-Worker-ABC", "Shop/Worker", "arn:aws:lambda:us-east-1:123456789012:function:shop-Worker-ABC")
    assert [r.kind for r in faults.function_fault(names)] == ["crash", "delay"]
    assert [r.kind for r in faults.function_fault(names)] == ["crash"]
    assert faults.function_fault(("other", "Shop/Other")) == []
    assert faults.clear() == 2 and faults.rules == []


def test_short_names_of_arns():
    assert short_names("arn:aws:lambda:us-east-1:1:function:f:live")[1] == "f"
    assert short_names("arn:aws:sqs:us-east-1:1:jobs")[1] == "jobs"
    assert short_names("arn:aws:s3:::bucket/key/deep")[1:] == ("bucket", "bucket/key/deep")


def test_a_crash_rule_is_about_functions():
    with pytest.raises(RuleError, match="its service is lambda"):
        parse_rule({"kind": "crash", "service": "sqs"})
