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
