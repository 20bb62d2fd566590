"""End to end: real functions in localcloud's workers fed by every kind of event source.

The template and its function code are written to a temporary folder; localcloud runs it as a
separate process, as the test suite's session fixture does with the real application.
"""

from __future__ import annotations

import pytest

from tests.support.localcloud import LocalCloudProcess

FUNCTION_CODE = """\
import os
from urllib.parse import unquote_plus

import boto3

_table = None


def table():
    global _table
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["RESULTS"])
    return _table


def sqs_handler(event, context):
    failures = []
    for record in event["Records"]:
        if record["body"] == "bad":
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            table().put_item(Item={"pk": "sqs#" + record["body"]})
    return {"batchItemFailures": failures}


def stream_handler(event, context):
    for record in event["Records"]:
        table().put_item(Item={"pk": f"post#{record['dynamodb']['Keys']['id']['S']}#{record['eventName']}"})


def s3_handler(event, context):
    for record in event["Records"]:
        table().put_item(Item={"pk": "s3#" + unquote_plus(record["s3"]["object"]["key"])})


def sns_handler(event, context):
    for record in event["Records"]:
        table().put_item(Item={"pk": "sns#" + record["Sns"]["Message"]})
"""

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    CodeUri: src/
    Timeout: 10
    Environment:
      Variables:
        RESULTS: !Ref Results
Resources:
  Results:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Posts:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  DeadLetters:
    Type: AWS::SQS::Queue
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 2
  Uploads:
    Type: AWS::S3::Bucket
  Events:
    Type: AWS::SNS::Topic
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.sqs_handler
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Work.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
  OnPost:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.stream_handler
      Events:
        Stream:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Posts.StreamArn
            StartingPosition: TRIM_HORIZON
            MaximumRetryAttempts: 2
            BisectBatchOnFunctionError: true
            FilterCriteria:
              Filters: [{Pattern: '{"eventName": ["INSERT"]}'}]
  OnUpload:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.s3_handler
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter: {S3Key: {Rules: [{Name: prefix, Value: uploads/}]}}
  OnTopic:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.sns_handler
      Events:
        Topic:
          Type: SNS
          Properties:
            Topic: !Ref Events
Outputs:
  ResultsTable: {Value: !Ref Results}
  WorkQueue: {Value: !Ref Work}
  DeadLetterQueue: {Value: !Ref DeadLetters}
  PostsTable: {Value: !Ref Posts}
  UploadsBucket: {Value: !Ref Uploads}
  EventsTopic: {Value: !Ref Events}
"""


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources-e2e")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text(FUNCTION_CODE)
    (root / "template.yaml").write_text(TEMPLATE)
    process = LocalCloudProcess(root / "template.yaml", root / "state", root / "localcloud.log").start()
    yield process
    process.stop()


@pytest.fixture
def app(cloud):
    yield cloud, cloud.endpoints["outputs"]["Root"]
    cloud.reset()


def results(cloud, outputs) -> list[str]:
    items = cloud.aws("dynamodb").scan(TableName=outputs["ResultsTable"])["Items"]
    return sorted(item["pk"]["S"] for item in items)


def test_sqs_partial_failure_reaches_the_dlq_and_the_rest_is_processed(app):
    cloud, outputs = app
    sqs = cloud.aws("sqs")
    for body in ("good", "bad", "fine"):
        sqs.send_message(QueueUrl=outputs["WorkQueue"], MessageBody=body)
    assert cloud.wait_idle(30)
    assert results(cloud, outputs) == ["sqs#fine", "sqs#good"]
    dead = sqs.receive_message(QueueUrl=outputs["DeadLetterQueue"], MaxNumberOfMessages=10).get("Messages", [])
    assert [m["Body"] for m in dead] == ["bad"]


def test_stream_filter_passes_only_inserts(app):
    cloud, outputs = app
    ddb = cloud.aws("dynamodb")
    ddb.put_item(TableName=outputs["PostsTable"], Item={"id": {"S": "p1"}})
    ddb.put_item(TableName=outputs["PostsTable"], Item={"id": {"S": "p1"}, "title": {"S": "edited"}})
    ddb.put_item(TableName=outputs["PostsTable"], Item={"id": {"S": "p2"}})
    assert cloud.wait_idle(30)
    assert results(cloud, outputs) == ["post#p1#INSERT", "post#p2#INSERT"]


def test_s3_and_sns_reach_their_functions(app):
    cloud, outputs = app
    s3 = cloud.aws("s3")
    s3.put_object(Bucket=outputs["UploadsBucket"], Key="uploads/a b.jpg", Body=b"jpg")
    s3.put_object(Bucket=outputs["UploadsBucket"], Key="elsewhere/c.jpg", Body=b"jpg")
    cloud.aws("sns").publish(TopicArn=outputs["EventsTopic"], Message="hello")
    assert cloud.wait_idle(30)
    assert results(cloud, outputs) == ["s3#uploads/a b.jpg", "sns#hello"]


def test_reset_starts_from_a_clean_slate(app):
    cloud, outputs = app
    cloud.aws("dynamodb").put_item(TableName=outputs["PostsTable"], Item={"id": {"S": "old"}})
    assert cloud.wait_idle(30)
    cloud.reset()
    assert results(cloud, outputs) == []
    cloud.aws("sqs").send_message(QueueUrl=outputs["WorkQueue"], MessageBody="after-reset")
    assert cloud.wait_idle(30)
    assert results(cloud, outputs) == ["sqs#after-reset"]
