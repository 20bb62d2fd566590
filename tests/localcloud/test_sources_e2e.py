"""End to end: real functions in localcloud's workers fed by every kind of event source.

The template and its function code are written to a temporary folder; localcloud runs it as a
separate process, as the test suite's session fixture does with the real application.
"""

from __future__ import annotations

import pytest

from tests.support.localcloud import LocalCloudProcess

FUNCTION_CODE = 'import json\nimport os\nfrom urllib.parse import unquote_plus\n\nimport boto3\n\n_table = None\n\n\ndef table():\n    global _table\n    if _table is None:\n        _table = boto3.resource("dynamodb").Table(os.environ["RESULTS"])\n    return _table\n\n\ndef sqs_handler(event, context):\n    failures = []\n    for record in event["Records"]:\n        if record["body"] == "bad":\n            failures.append({"itemIdentifier": record["messageId"]})\n        else:\n            table().put_item(Item={"pk": "sqs#" + record["body"]})\n    return {"batchItemFailures": failures}\n\n\ndef stream_handler(event, context):\n    for record in event["Records"]:\n        table().put_item(Item={"pk": f"post#{record[\'dynamodb\'][\'Keys\'][\'id\'][\'S\']}#{record[\'eventName\']}"})\n\n\ndef s3_handler(event, context):\n    for record in event["Records"]:\n        table().put_item(Item={"pk": "s3#" + unquote_plus(record["s3"]["object"]["key"])})\n\n\ndef sns_handler(event, context):\n    for record in event["Records"]:\n        table().put_item(Item={"pk": "sns#" + record["Sns"]["Message"]})\n'

TEMPLATE = 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Runtime: python3.13\n    CodeUri: src/\n    Timeout: 10\n    Environment:\n      Variables:\n        RESULTS: !Ref Results\nResources:\n  Results:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n  Posts:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n      KeySchema: [{AttributeName: id, KeyType: HASH}]\n      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}\n  DeadLetters:\n    Type: AWS::SQS::Queue\n  Work:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 1\n      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt DeadLetters.Arn\n        maxReceiveCount: 2\n  Uploads:\n    Type: AWS::S3::Bucket\n  Events:\n    Type: AWS::SNS::Topic\n  Consumer:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.sqs_handler\n      Events:\n        Work:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Work.Arn\n            FunctionResponseTypes: [ReportBatchItemFailures]\n  OnPost:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.stream_handler\n      Events:\n        Stream:\n          Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Posts.StreamArn\n            StartingPosition: TRIM_HORIZON\n            MaximumRetryAttempts: 2\n            BisectBatchOnFunctionError: true\n            FilterCriteria:\n              Filters: [{Pattern: \'{"eventName": ["INSERT"]}\'}]\n  OnUpload:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.s3_handler\n      Events:\n        Upload:\n          Type: S3\n          Properties:\n            Bucket: !Ref Uploads\n            Events: s3:ObjectCreated:*\n            Filter: {S3Key: {Rules: [{Name: prefix, Value: uploads/}]}}\n  OnTopic:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.sns_handler\n      Events:\n        Topic:\n          Type: SNS\n          Properties:\n            Topic: !Ref Events\nOutputs:\n  ResultsTable: {Value: !Ref Results}\n  WorkQueue: {Value: !Ref Work}\n  DeadLetterQueue: {Value: !Ref DeadLetters}\n  PostsTable: {Value: !Ref Posts}\n  UploadsBucket: {Value: !Ref Uploads}\n  EventsTopic: {Value: !Ref Events}\n'


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
