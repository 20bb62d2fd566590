"""The IAM action and resource ARN a request to the AWS endpoint is checked against (issued credentials)."""

from __future__ import annotations

import pytest

from localcloud.front.actions import service_action


@pytest.mark.parametrize(
    ("service", "target", "params", "action", "resource"),
    [
        ("dynamodb", "DynamoDB_20120810.PutItem", {"TableName": "posts"}, "dynamodb:PutItem",
         "arn:aws:dynamodb:us-east-1:123456789012:table/posts"),
        ("firehose", "Firehose_20150804.PutRecordBatch", {"DeliveryStreamName": "views"}, "firehose:PutRecordBatch",
         "arn:aws:firehose:us-east-1:123456789012:deliverystream/views"),
        ("kinesis", "Kinesis_20131202.PutRecord", {"StreamName": "views"}, "kinesis:PutRecord",
         "arn:aws:kinesis:us-east-1:123456789012:stream/views"),
    ],
)  # fmt: skip
def test_json_requests_name_their_action_and_resource(service, target, params, action, resource):
    wanted = service_action(service, "POST", "/", target, params, "us-east-1", "123456789012")
    assert (wanted.action, wanted.resource) == (action, resource)


@pytest.mark.parametrize(
    ("method", "path", "query", "action", "resource"),
    [
        ("POST", "/2015-03-31/functions/work/invocations", {}, "lambda:InvokeFunction",
         "arn:aws:lambda:us-east-1:123456789012:function:work"),
        ("POST", "/2015-03-31/functions/work/invocations", {"Qualifier": "live"}, "lambda:InvokeFunction",
         "arn:aws:lambda:us-east-1:123456789012:function:work:live"),
        ("POST", "/2015-03-31/functions/work%3Alive/invocations", {}, "lambda:InvokeFunction",
         "arn:aws:lambda:us-east-1:123456789012:function:work:live"),
        ("POST", "/2015-03-31/functions/123456789012%3Afunction%3Awork/invocations", {}, "lambda:InvokeFunction",
         "arn:aws:lambda:us-east-1:123456789012:function:work"),
        ("GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A111122223333%3Afunction%3Awork", {},
         "lambda:GetFunction", "arn:aws:lambda:eu-west-1:111122223333:function:work"),
        ("GET", "/2015-03-31/functions/", {}, "lambda:ListFunctions", "*"),
    ],
)  # fmt: skip
def test_lambda_calls_are_checked_as_iam_names_them(method, path, query, action, resource):
    """Invoke is `lambda:InvokeFunction` on the function's ARN, qualified when the call names a qualifier."""
    wanted = service_action("lambda", method, path, None, query, "us-east-1", "123456789012")
    assert (wanted.action, wanted.resource) == (action, resource)
