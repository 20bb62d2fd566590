"""The blog's views and covers resources as CloudFormation (the SAM transform of services/blog/template.yaml):
least privilege, the stream consumer's error handling, the private archive, and a covers queue subscribed
only when media's topic is named."""

from __future__ import annotations

import pytest

from tests.templates.cfn import sam_transform

TEMPLATE = "services/blog/template.yaml"
POOL = {"UserPoolArnParameter": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc123"}
WITH_MEDIA = {**POOL, "MediaEventsTopicArnParameter": "/platform/dev/media/EventsTopicArn"}
# the posts table is a global one when replica regions are given
POSTS_ARN = {
    "Fn::If": ["HasReplicas", {"Fn::GetAtt": ["PostsGlobalTable", "Arn"]}, {"Fn::GetAtt": ["PostsTable", "Arn"]}]
}


@pytest.fixture(scope="module")
def resources() -> dict:
    import os

    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    return sam_transform(TEMPLATE, WITH_MEDIA)["Resources"]


def statements(resources: dict, role: str) -> list[dict]:
    props = resources[role]["Properties"]
    return [s for policy in props.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def actions(statement: dict) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def test_aggregate_views_may_only_update_items_of_the_posts_table(resources):
    role = resources["AggregateViewsFunctionRole"]["Properties"]
    granted = statements(resources, "AggregateViewsFunctionRole")
    dynamodb = [s for s in granted if any("dynamodb" in a for a in actions(s))]
    assert [actions(s) for s in dynamodb] == [{"dynamodb:UpdateItem"}]
    assert dynamodb[0]["Resource"] == POSTS_ARN
    managed = [str(arn) for arn in role["ManagedPolicyArns"]]
    assert any("AWSLambdaKinesisExecutionRole" in arn for arn in managed)
    sends = [s for s in statements(resources, "AggregateViewsFunctionRole") if "sqs:SendMessage" in actions(s)]
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": ["ViewsFailureQueue", "Arn"]}]


def test_the_view_stream_consumer_bisects_reports_items_retries_a_bounded_number_of_times(resources):
    (mapping,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"
                  and r["Properties"]["FunctionName"] == {"Ref": "AggregateViewsFunction"}]  # fmt: skip
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert 0 <= mapping["MaximumRetryAttempts"] <= 10
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["ViewsFailureQueue", "Arn"]}
    assert mapping["MaximumBatchingWindowInSeconds"] == {"Ref": "ViewsBatchWindowSeconds"}


def test_api_gateway_may_only_put_records_into_the_view_stream(resources):
    (statement,) = statements(resources, "ViewsApiRole")
    assert actions(statement) == {"kinesis:PutRecord"}
    assert statement["Resource"] == {"Fn::GetAtt": ["ViewStream", "Arn"]}


def test_the_archive_is_private_and_firehose_reads_the_stream_and_writes_only_the_archive(resources):
    bucket = resources["ViewsArchiveBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    stream = resources["ViewsArchiveStream"]["Properties"]
    assert stream["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert stream["KinesisStreamSourceConfiguration"]["KinesisStreamARN"] == {"Fn::GetAtt": ["ViewStream", "Arn"]}
    assert stream["ExtendedS3DestinationConfiguration"]["Prefix"].startswith("views/!{timestamp:yyyy}/")
    granted = {str(s["Resource"]) for s in statements(resources, "ViewsArchiveRole")}
    assert granted == {str({"Fn::GetAtt": ["ViewStream", "Arn"]}), str({"Fn::GetAtt": ["ViewsArchiveBucket", "Arn"]}),
                       str({"Fn::Sub": "${ViewsArchiveBucket.Arn}/*"})}  # fmt: skip


def test_attach_cover_reads_the_posts_table_updates_posts_and_puts_processed_uploads(resources):
    reads = ("Get", "Query", "Scan", "BatchGet", "Describe", "ConditionCheck", "PartiQLSelect")
    granted = {a for s in statements(resources, "AttachCoverFunctionRole") for a in actions(s)}
    writes = {a for a in granted if a.startswith("dynamodb:") and not a.removeprefix("dynamodb:").startswith(reads)}
    assert writes == {"dynamodb:UpdateItem", "dynamodb:PutItem"}
    by_action = {a: s["Resource"] for s in statements(resources, "AttachCoverFunctionRole") for a in actions(s)}
    assert by_action["dynamodb:UpdateItem"] == POSTS_ARN
    assert by_action["dynamodb:PutItem"] == {"Fn::GetAtt": ["CoversTable", "Arn"]}


def test_the_covers_queue_takes_only_media_processed_from_media_events_and_has_a_dlq(resources):
    subscription = resources["CoversSubscription"]["Properties"]
    assert subscription["FilterPolicy"] == {"type": ["MediaProcessed"]} and subscription["RawMessageDelivery"] is True
    (statement,) = resources["CoversQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert "aws:SourceArn" in statement["Condition"]["ArnEquals"]
    queue = resources["CoversQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["CoversDeadLetterQueue", "Arn"]}
    assert queue["VisibilityTimeout"] >= 6 * resources["AttachCoverFunction"]["Properties"]["Timeout"]


def test_without_media_the_covers_queue_is_not_subscribed():
    plain = sam_transform(TEMPLATE, POOL)["Resources"]
    assert plain["CoversSubscription"]["Condition"] == "HasMediaEvents"
    assert plain["CoversQueuePolicy"]["Condition"] == "HasMediaEvents"
