"""S3 and SNS → Lambda through hidden SQS queues, with asynchronous invocation retries, destinations
and dead-letter queues, against a real moto server."""

from __future__ import annotations

import json
import threading
from urllib.parse import unquote_plus

from localcloud.model import Throttled
from tests.localcloud.test_sources_harness import (
    FakeFunctions,
    FunctionFailed,
    client_factory,
    drain,
    logged,
    make_queue,
    moto_url,
    resource,
    running,
    unique,
    wait_for,
)

__all__ = ["moto_url"]

FAST_RETRIES = {"async_retry_delays": (0, 0)}


def bucket_resource(aws, name: str, notification: dict):
    aws("s3").create_bucket(Bucket=name)
    return resource("Media", "AWS::S3::Bucket", {"NotificationConfiguration": notification}, ref=name)


def topic_resource(aws, name: str):
    arn = aws("sns").create_topic(Name=name)["TopicArn"]
    return arn, resource("Topic", "AWS::SNS::Topic", {}, ref=arn)


def test_s3_notifications_reach_the_function_and_the_buckets_own_queue(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    spec = fns.add("MakeThumbnails")
    own_url, own_arn = make_queue(aws, unique("bucket-own"))
    bucket = unique("media")
    notification = {
        "LambdaConfigurations": [
            {
                "Event": "s3:ObjectCreated:*",
                "Function": spec.arn,
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}},
            }
        ],
        "QueueConfigurations": [{"Event": "s3:ObjectCreated:*", "Queue": own_arn}],
    }
    resources = [bucket_resource(aws, bucket, notification)]
    with running(moto_url, fns, resources) as (sources, events):
        s3 = aws("s3")
        s3.put_object(Bucket=bucket, Key="uploads/a b/cat.jpg", Body=b"jpg")
        s3.put_object(Bucket=bucket, Key="renditions/cat-small.jpg", Body=b"jpg")
        assert sources.wait_idle(10)
    [event] = fns.events_for("MakeThumbnails")
    [record] = event["Records"]
    assert record["eventSource"] == "aws:s3" and record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == bucket
    assert unquote_plus(record["s3"]["object"]["key"]) == "uploads/a b/cat.jpg"
    own = [json.loads(m["Body"]) for m in drain(aws, own_url)]
    keys = sorted(unquote_plus(b["Records"][0]["s3"]["object"]["key"]) for b in own if "Records" in b)
    assert keys == ["renditions/cat-small.jpg", "uploads/a b/cat.jpg"]
    [delivery] = logged(events, "delivery")
    assert delivery["channel"] == "s3" and delivery["function"] == "MakeThumbnails" and delivery["source"] == "Media"


def test_sns_subscription_delivers_the_sns_event_and_honours_the_filter_policy(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    spec = fns.add("Render")
    topic_arn, topic = topic_resource(aws, unique("blog-events"))
    subscription = resource(
        "RenderSub", "AWS::SNS::Subscription",
        {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn,
         "FilterPolicy": {"type": ["PostPublished"]}, "FilterPolicyScope": "MessageBody"},
    )  # fmt: skip
    with running(moto_url, fns, [topic, subscription]) as (sources, _):
        sns = aws("sns")
        sns.publish(
            TopicArn=topic_arn,
            Message=json.dumps({"type": "PostPublished", "id": "1"}),
            Subject="new post",
            MessageAttributes={"source": {"DataType": "String", "StringValue": "blog"}},
        )
        sns.publish(TopicArn=topic_arn, Message=json.dumps({"type": "PostDeleted", "id": "2"}))
        assert sources.wait_idle(10)
    [event] = fns.events_for("Render")
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"].startswith(topic_arn + ":")
    sns_part = record["Sns"]
    assert json.loads(sns_part["Message"]) == {"type": "PostPublished", "id": "1"}
    assert (
        sns_part["TopicArn"] == topic_arn and sns_part["Subject"] == "new post" and sns_part["Type"] == "Notification"
    )
    assert sns_part["MessageAttributes"] == {"source": {"Type": "String", "Value": "blog"}}
    assert {"MessageId", "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl"} <= set(
        sns_part
    )


def failing_function_with(aws, fns: FakeFunctions, name: str, **function_props):
    """A failing SNS-subscribed function; returns (topic arn, resources)."""

    def handler(event):
        raise FunctionFailed("always fails")

    spec = fns.add(name, handler)
    topic_arn, topic = topic_resource(aws, unique("topic"))
    subscription = resource(
        "Sub", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn}
    )
    function = resource(name, "AWS::Lambda::Function", function_props, ref=name, Arn=spec.arn)
    return topic_arn, [topic, subscription, function]


def test_async_failure_is_retried_twice_then_sent_to_the_on_failure_destination(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    failures_url, failures_arn = make_queue(aws, unique("async-fail"))
    topic_arn, resources = failing_function_with(aws, fns, "Notify")
    resources.append(
        resource(
            "NotifyInvokeConfig", "AWS::Lambda::EventInvokeConfig",
            {"FunctionName": "Notify", "Qualifier": "$LATEST",
             "DestinationConfig": {"OnFailure": {"Destination": failures_arn}}},
        )
    )  # fmt: skip
    with running(moto_url, fns, resources, **FAST_RETRIES) as (sources, events):
        aws("sns").publish(TopicArn=topic_arn, Message="hello")
        assert sources.wait_idle(15)
    assert len(fns.events_for("Notify")) == 3
    [message] = drain(aws, failures_url)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"]["Records"][0]["Sns"]["Message"] == "hello"
    assert record["responsePayload"]["errorMessage"] == "always fails"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert [e["attempt"] for e in logged(events, "delivery")] == [1, 2, 3]
    assert logged(events, "on-failure")[0]["destination"] == failures_arn


def test_async_failure_goes_to_the_dead_letter_queue_with_error_attributes(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    dlq_url, dlq_arn = make_queue(aws, unique("fn-dlq"))
    topic_arn, resources = failing_function_with(aws, fns, "Welcome", DeadLetterConfig={"TargetArn": dlq_arn})
    resources.append(
        resource("WelcomeInvokeConfig", "AWS::Lambda::EventInvokeConfig",
                 {"FunctionName": "Welcome", "MaximumRetryAttempts": 0})
    )  # fmt: skip
    with running(moto_url, fns, resources, **FAST_RETRIES) as (sources, _):
        aws("sns").publish(TopicArn=topic_arn, Message="hi")
        assert sources.wait_idle(15)
    assert len(fns.events_for("Welcome")) == 1
    [message] = drain(aws, dlq_url)
    assert json.loads(message["Body"])["Records"][0]["Sns"]["Message"] == "hi"
    assert message["MessageAttributes"]["ErrorMessage"]["StringValue"] == "always fails"
    assert message["MessageAttributes"]["RequestID"]["StringValue"]


def test_async_failure_without_destination_is_logged_as_dropped(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    topic_arn, resources = failing_function_with(aws, fns, "Lonely")
    with running(moto_url, fns, resources, **FAST_RETRIES) as (sources, events):
        aws("sns").publish(TopicArn=topic_arn, Message="lost?")
        assert sources.wait_idle(15)
    [dropped] = logged(events, "dropped")
    assert dropped["function"] == "Lonely" and dropped["attempts"] == 3 and "DROPPED" in dropped["note"]
    assert dropped["body"]["Records"][0]["Sns"]["Message"] == "lost?"


def test_async_retry_waits_out_its_delay_and_counts_as_busy(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    calls = []

    def flaky(event):
        calls.append(1)
        if len(calls) == 1:
            raise FunctionFailed("first attempt fails")

    spec = fns.add("Flaky", flaky)
    topic_arn, topic = topic_resource(aws, unique("flaky"))
    sub = resource("Sub", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn})
    with running(moto_url, fns, [topic, sub], async_retry_delays=(2,)) as (sources, events):
        aws("sns").publish(TopicArn=topic_arn, Message="m")
        wait_for(lambda: calls)
        assert not sources.wait_idle(0.5)
        assert sources.wait_idle(15)
    assert len(calls) == 2
    assert [e["outcome"] for e in logged(events, "delivery")] == ["error", "ok"]


def test_throttled_async_invocation_does_not_use_an_attempt(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    throttles = [1, 1]

    def handler(event):
        if throttles:
            throttles.pop()
            raise Throttled("busy")
        raise FunctionFailed("real failure")

    spec = fns.add("Busy", handler)
    topic_arn, topic = topic_resource(aws, unique("busy"))
    sub = resource("Sub", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn})
    with running(moto_url, fns, [topic, sub], **FAST_RETRIES) as (sources, events):
        aws("sns").publish(TopicArn=topic_arn, Message="m")
        assert sources.wait_idle(15)
    assert len(fns.events_for("Busy")) == 5  # 2 throttled + 3 real attempts
    assert logged(events, "dropped")[0]["attempts"] == 3


def test_reset_purges_hidden_queues_and_abandons_held_events(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    release = threading.Event()
    spec = fns.add("Slow", lambda event: release.wait(10))
    spec.reserved_concurrency = 1  # one event held at a time: the others wait in the queue
    topic_arn, topic = topic_resource(aws, unique("purge"))
    sub = resource("Sub", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn})
    with running(moto_url, fns, [topic, sub]) as (sources, _):
        for i in range(3):
            aws("sns").publish(TopicArn=topic_arn, Message=str(i))
        wait_for(lambda: fns.events_for("Slow"))
        sources.reset()
        release.set()
        aws("sns").publish(TopicArn=topic_arn, Message="after")
        assert sources.wait_idle(10)
    messages = [e["Records"][0]["Sns"]["Message"] for e in fns.events_for("Slow")]
    assert messages == ["0", "after"]


def test_broken_fan_in_is_logged_and_others_still_work(moto_url):
    aws = client_factory(moto_url)
    fns = FakeFunctions()
    spec = fns.add("Render")
    topic_arn, topic = topic_resource(aws, unique("ok"))
    good = resource(
        "Good", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": spec.arn, "TopicArn": topic_arn}
    )
    missing_fn = resource(
        "NoFunction", "AWS::SNS::Subscription", {"Protocol": "lambda", "Endpoint": "Ghost", "TopicArn": topic_arn}
    )
    missing_bucket = resource(
        "NoBucket", "AWS::S3::Bucket",
        {"NotificationConfiguration": {
            "LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": spec.arn}]}},
        ref=unique("never-created"),
    )  # fmt: skip
    with running(moto_url, fns, [topic, good, missing_fn, missing_bucket]) as (sources, events):
        aws("sns").publish(TopicArn=topic_arn, Message="still works")
        assert sources.wait_idle(10)
    assert len(fns.events_for("Render")) == 1
    errors = {e["source"]: e["body"]["error"] for e in logged(events, "error")}
    assert "Ghost" in errors["NoFunction"] and "NoBucket" in errors
