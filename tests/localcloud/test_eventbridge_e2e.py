"""EventBridge end to end on a real localcloud process: PutEvents from boto3 and from inside a function,
every kind of target, input transformers, pattern operators, retries into dead-letter queues, schedules
fired by `localcloud schedule fire`, and the errors AWS gives for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.support.localcloud import FAKE_ENV, ROOT, localcloud_on

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "eventbridge" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "eventbridge")


@pytest.fixture(autouse=True)
def clean(cloud):
    cloud.reset()


def resource(cloud, logical_id: str) -> dict:
    summary = cloud.http.get(f"{cloud.base}/_local/api/resources", timeout=10).json()
    return next(r for r in summary["stacks"][""] if r["logical_id"] == logical_id)


def put(cloud, *entries: dict) -> dict:
    return cloud.aws("events").put_events(Entries=[{"DetailType": "test", **e} for e in entries])


def results(cloud) -> dict[str, dict]:
    table = resource(cloud, "Results")["ref"]
    items = cloud.aws("dynamodb").scan(TableName=table)["Items"]
    return {i["pk"]["S"]: json.loads(i["payload"]["S"]) for i in items}


def wait_for(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def drain(cloud, logical_id: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
    sqs = cloud.aws("sqs")
    url = resource(cloud, logical_id)["ref"]
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while len(messages) < count and time.monotonic() < deadline:
        every = ["All"]
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=every, AttributeNames=every
        )
        messages += got.get("Messages", [])
    return messages


def fire(cloud, schedule: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", "schedule", "fire", schedule, "--state-dir", str(cloud.state_dir)],
        cwd=ROOT, env={**FAKE_ENV, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


# targets and input -------------------------------------------------------------------------------


def test_an_input_transformer_shapes_what_the_function_gets(cloud):
    detail = {"id": "7", "amount": 12.5, "tags": ["a", "b"]}
    response = put(cloud, {"Source": "transform", "Detail": json.dumps(detail)})
    assert response["FailedEntryCount"] == 0
    got = wait_for(lambda: results(cloud).get("t#7"))
    assert got["amount"] == 12.5 and got["tags"] == ["a", "b"] and got["text"] == "order 7 costs 12.5"
    assert got["rule"].startswith("eventbridge-RecorderTransformed")
    assert got["event"]["id"] == response["Entries"][0]["EventId"] and got["event"]["detail"] == detail


def test_input_and_input_path_targets(cloud):
    put(cloud, {"Source": "constant", "Detail": "{}"}, {"Source": "path", "Detail": json.dumps({"key": "from-path"})})
    assert wait_for(lambda: {"constant", "from-path"} <= set(results(cloud)))


def test_sqs_targets_get_the_input_path_and_fifo_the_group(cloud):
    put(cloud, {"Source": "queue", "Detail": json.dumps({"n": 1})})
    plain = drain(cloud, "Inbox")
    assert [json.loads(m["Body"]) for m in plain] == [{"n": 1}]
    ordered = drain(cloud, "Ordered")
    assert len(ordered) == 1 and ordered[0]["Attributes"]["MessageGroupId"] == "g1"
    assert json.loads(ordered[0]["Body"])["detail"] == {"n": 1}


def test_an_sns_target_publishes_and_anything_but_filters(cloud):
    put(cloud, {"Source": "alert", "Detail": json.dumps({"level": "debug"})},
        {"Source": "alert", "Detail": json.dumps({"level": "warn"})})  # fmt: skip
    messages = drain(cloud, "AlertsInbox")
    assert cloud.wait_idle()
    messages += drain(cloud, "AlertsInbox", timeout=1)
    assert [m["Body"] for m in messages] == ['"level warn"']


def test_events_put_from_inside_a_function_and_through_another_bus(cloud):
    published = cloud.invoke("Publisher", {"id": "in-fn"})
    assert published["payload"] == {"failed": 0}
    put(cloud, {"Source": "shop.forwarded", "DetailType": "OrderPlaced", "Detail": json.dumps({"id": "fwd"})})
    got = wait_for(lambda: {"order#in-fn", "order#fwd"} <= set(results(cloud)) and results(cloud))
    assert got["order#in-fn"]["source"] == "shop" and got["order#fwd"]["source"] == "shop.forwarded"


def test_s3_eventbridge_notifications_reach_a_lambda_rule(cloud):
    cloud.aws("s3").put_object(Bucket=resource(cloud, "Uploads")["ref"], Key="photos/cat.jpg", Body=b"meow")
    assert wait_for(lambda: "s3#photos/cat.jpg" in results(cloud))


def to_queue(cloud, rule: str, pattern: dict) -> str:
    """A queue that a new rule on the default bus fills with the events matching `pattern`."""
    sqs = cloud.aws("sqs")
    url = sqs.create_queue(QueueName=rule)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    cloud.aws("events").put_rule(Name=rule, EventPattern=json.dumps(pattern))
    cloud.aws("events").put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    return url


def received(cloud, url: str, count: int) -> list[dict]:
    sqs, bodies = cloud.aws("sqs"), []
    deadline = time.monotonic() + 20
    while len(bodies) < count and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        bodies += [json.loads(m["Body"]) for m in got]
    return bodies


def test_an_ec2_state_change_reaches_a_rules_queue_with_the_aws_envelope(cloud):
    pattern = {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
               "detail": {"state": ["running", "stopped", "terminated"]}}  # fmt: skip
    url = to_queue(cloud, "ec2-changes", pattern)
    ec2 = cloud.aws("ec2")
    instance = ec2.run_instances(ImageId="ami-03cf127a", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[instance])
    ec2.terminate_instances(InstanceIds=[instance])
    events = received(cloud, url, 3)
    assert [e["detail"] for e in events] == [
        {"instance-id": instance, "state": s} for s in ("running", "stopped", "terminated")
    ]
    first = events[0]
    assert set(first) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
    assert first["version"] == "0" and first["account"] == "123456789012" and first["region"] == "us-east-1"
    assert first["resources"] == [f"arn:aws:ec2:us-east-1:123456789012:instance/{instance}"]
    assert len({e["id"] for e in events}) == 3


def test_s3_eventbridge_events_have_the_shape_aws_sends(cloud):
    bucket = resource(cloud, "Uploads")["ref"]
    url = to_queue(
        cloud,
        "s3-objects",
        {
            "source": ["aws.s3"],
            "detail-type": ["Object Created", "Object Deleted"],
            "detail": {"bucket": {"name": [bucket]}},
        },
    )
    s3 = cloud.aws("s3")
    put_etag = s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"hello")["ETag"].strip('"')
    s3.copy_object(Bucket=bucket, Key="docs/b.txt", CopySource={"Bucket": bucket, "Key": "docs/a.txt"})
    s3.delete_object(Bucket=bucket, Key="docs/a.txt")
    events = {(e["detail-type"], e["detail"]["object"]["key"]): e for e in received(cloud, url, 3)}
    created = events[("Object Created", "docs/a.txt")]["detail"]
    assert created["object"]["etag"] == put_etag and created["object"]["size"] == 5
    assert created["reason"] == "PutObject" and created["requester"] == "123456789012"
    assert events[("Object Created", "docs/b.txt")]["detail"]["reason"] == "CopyObject"
    deleted = events[("Object Deleted", "docs/a.txt")]["detail"]
    assert deleted["reason"] == "DeleteObject" and deleted["deletion-type"] == "Permanently Deleted"
    assert len({e["id"] for e in events.values()}) == 3


def test_a_step_functions_target_starts_an_execution(cloud):
    sfn = cloud.aws("stepfunctions")
    machine = sfn.create_state_machine(
        name="eb-target", roleArn="arn:aws:iam::123456789012:role/sfn",
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
    )["stateMachineArn"]  # fmt: skip
    events = cloud.aws("events")
    events.put_rule(Name="to-sfn", EventPattern=json.dumps({"source": ["sfn"]}))
    events.put_targets(Rule="to-sfn", Targets=[{"Id": "m", "Arn": machine, "InputPath": "$.detail"}])
    put(cloud, {"Source": "sfn", "Detail": json.dumps({"order": 1})})
    executions = wait_for(lambda: sfn.list_executions(stateMachineArn=machine)["executions"])
    assert len(executions) == 1
    described = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(described["input"]) == {"order": 1}


# pattern operators on rules made at run time ------------------------------------------------------

OPERATORS = {
    "exact": {"detail": {"v": ["x"]}},
    "prefix": {"detail": {"v": [{"prefix": "pre"}]}},
    "suffix": {"detail": {"v": [{"suffix": ".png"}]}},
    "ignore-case": {"detail": {"v": [{"equals-ignore-case": "MiXeD"}]}},
    "anything-but": {"detail": {"v": [{"anything-but": ["x", "pre-1"]}]}},
    "anything-but-prefix": {"detail": {"v": [{"anything-but": {"prefix": "pre"}}]}},
    "anything-but-suffix": {"detail": {"v": [{"anything-but": {"suffix": ".png"}}]}},
    "anything-but-wildcard": {"detail": {"v": [{"anything-but": {"wildcard": "*i*"}}]}},
    "numeric": {"detail": {"n": [{"numeric": [">", 10, "<=", 20]}]}},
    "exists": {"detail": {"n": [{"exists": True}]}},
    "not-exists": {"detail": {"n": [{"exists": False}]}},
    "wildcard": {"detail": {"v": [{"wildcard": "a*.png"}]}},
    "cidr": {"detail": {"ip": [{"cidr": "10.0.0.0/24"}]}},
    "or": {"$or": [{"detail": {"v": ["x"]}}, {"detail": {"n": [5]}}]},
    "nested-array": {"detail": {"items": {"sku": ["s2"]}}},
}
EVENTS = {
    "e1": {"v": "x"},
    "e2": {"v": "pre-1"},
    "e3": {"v": "a-photo.PNG"},
    "e4": {"v": "mixed"},
    "e5": {"n": 15},
    "e6": {"n": 5, "ip": "10.0.0.9"},
    "e7": {"v": "abc.png", "items": [{"sku": "s1"}, {"sku": "s2"}]},
}
EXPECTED = {
    "exact": {"e1"},
    "prefix": {"e2"},
    "suffix": {"e7"},
    "ignore-case": {"e4"},
    "anything-but": {"e3", "e4", "e7"},
    "anything-but-prefix": {"e1", "e3", "e4", "e7"},
    "anything-but-suffix": {"e1", "e2", "e3", "e4"},
    "anything-but-wildcard": {"e1", "e2", "e3", "e7"},
    "numeric": {"e5"},
    "exists": {"e5", "e6"},
    "not-exists": {"e1", "e2", "e3", "e4", "e7"},
    "wildcard": {"e7"},
    "cidr": {"e6"},
    "or": {"e1", "e6"},
    "nested-array": {"e7"},
}


def test_each_pattern_operator_routes_the_events_it_matches(cloud):
    events, sqs = cloud.aws("events"), cloud.aws("sqs")
    events.create_event_bus(Name="operators")
    url = sqs.create_queue(QueueName="operators-out")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for name, pattern in OPERATORS.items():
        events.put_rule(Name=f"op-{name}", EventBusName="operators", EventPattern=json.dumps(pattern))
        transformer = {"InputPathsMap": {"e": "$.detail-type"}, "InputTemplate": f'{{"op": "{name}", "e": <e>}}'}
        target = {"Id": "out", "Arn": arn, "InputTransformer": transformer}
        events.put_targets(Rule=f"op-{name}", EventBusName="operators", Targets=[target])
    entries = [{"Source": "ops", "DetailType": key, "Detail": json.dumps(d), "EventBusName": "operators"}
               for key, d in EVENTS.items()]  # fmt: skip
    assert events.put_events(Entries=entries)["FailedEntryCount"] == 0
    expected_count = sum(len(v) for v in EXPECTED.values())
    got: dict[str, set[str]] = {name: set() for name in OPERATORS}
    deadline = time.monotonic() + 20
    received = 0
    while received < expected_count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
            body = json.loads(message["Body"])
            got[body["op"]].add(body["e"])
            received += 1
    assert cloud.wait_idle()
    for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
        body = json.loads(message["Body"])
        got[body["op"]].add(f"unexpected {body['e']}")
    assert got == EXPECTED
    for name, pattern in OPERATORS.items():  # TestEventPattern answers with the same matcher
        for key, detail in EVENTS.items():
            event = {"id": "1", "account": "123456789012", "source": "ops", "time": "2026-01-01T00:00:00Z",
                     "region": "us-east-1", "resources": [], "detail-type": key, "detail": detail}  # fmt: skip
            result = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"]
            assert result == (key in EXPECTED[name]), (name, key)


# failures -----------------------------------------------------------------------------------------


def test_a_failing_function_is_retried_then_lands_in_its_dead_letter_queue(cloud):
    response = put(cloud, {"Source": "fail", "Detail": json.dumps({"id": "f"})})
    event_id = response["Entries"][0]["EventId"]
    messages = drain(cloud, "FunctionFailures", timeout=30)
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"])["id"] == event_id
    assert "cannot handle" in messages[0]["MessageAttributes"]["ErrorMessage"]["StringValue"]
    log = cloud.http.get(f"{cloud.base}/_local/api/events", timeout=10).json()
    attempts = [e for e in log if e.get("kind") == "delivery" and e.get("channel") == "events"
                and str(e.get("function", "")).endswith("Failing") and e.get("outcome") == "error"]  # fmt: skip
    assert len(attempts) == 2  # the first try and MaximumRetryAttempts 1


def test_an_undeliverable_target_goes_to_the_rules_dead_letter_queue(cloud):
    response = put(cloud, {"Source": "nowhere", "Detail": "{}"})
    messages = drain(cloud, "Undeliverable")
    assert len(messages) == 1 and json.loads(messages[0]["Body"])["id"] == response["Entries"][0]["EventId"]
    attributes = {k: v["StringValue"] for k, v in messages[0]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "ResourceNotFoundException"
    assert attributes["TARGET_ARN"].endswith(":function:does-not-exist")
    assert attributes["RULE_ARN"].startswith("arn:aws:events:us-east-1:123456789012:rule/eventbridge-ToNowhere-")
    assert attributes["RETRY_ATTEMPTS"] == "0"


# schedules ----------------------------------------------------------------------------------------


def test_schedule_fire_fires_a_rate_rule_now(cloud):
    done = fire(cloud, "RecorderTick")
    assert done.returncode == 0, done.stderr
    assert "fired rule" in done.stdout and "DISABLED" not in done.stdout
    got = wait_for(lambda: [v for k, v in results(cloud).items() if k.startswith("aws.events#")])
    assert len(got) == 1 and got[0]["detail-type"] == "Scheduled Event" and got[0]["detail"] == {}
    rule_name = resource(cloud, "RecorderTick")["ref"]
    assert got[0]["resources"] == [f"arn:aws:events:us-east-1:123456789012:rule/{rule_name}"]


def test_schedule_fire_fires_a_disabled_rule_and_says_so(cloud):
    done = fire(cloud, "RecorderPaused")
    assert done.returncode == 0 and "DISABLED" in done.stdout
    assert wait_for(lambda: "paused" in results(cloud))


def test_schedule_fire_fires_a_schedule_v2_with_its_context_attributes(cloud):
    done = fire(cloud, "RecorderHourly")
    assert done.returncode == 0, done.stderr
    got = wait_for(lambda: results(cloud).get("v2"))
    assert got["arn"].endswith(":schedule/default/RecorderHourly") and got["at"].endswith("Z")


def test_schedule_fire_names_the_schedules_when_it_finds_none(cloud):
    done = fire(cloud, "NoSuchRule")
    assert done.returncode == 2 and "RecorderTick" in done.stderr and "RecorderHourly" in done.stderr


# bad input ----------------------------------------------------------------------------------------


def test_bad_put_events_entries_fail_one_by_one(cloud):
    response = cloud.aws("events").put_events(Entries=[
        {"Source": "ok", "DetailType": "t", "Detail": "{}"},
        {"DetailType": "t", "Detail": "{}"},
        {"Source": "s", "DetailType": "t", "Detail": "[1, 2]"},
        {"Source": "s", "DetailType": "t", "Detail": "{not json"},
        {"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "no-such-bus"},
    ])  # fmt: skip
    assert response["FailedEntryCount"] == 4
    codes = [e.get("ErrorCode") for e in response["Entries"]]
    assert codes == [None, "InvalidArgument", "MalformedDetail", "MalformedDetail", "ResourceNotFoundException"]
    assert "EventId" in response["Entries"][0]


@pytest.mark.parametrize(
    "entries",
    [
        [{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11,
        [{"Source": "s", "DetailType": "t", "Detail": json.dumps({"big": "x" * (256 * 1024)})}],
    ],
)
def test_too_many_or_too_large_entries_are_a_validation_error(cloud, entries):
    with pytest.raises(ClientError) as caught:
        cloud.aws("events").put_events(Entries=entries)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bad_rules_are_refused_as_eventbridge_refuses_them(cloud):
    events = cloud.aws("events")
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="bad", EventPattern=json.dumps({"source": [{"wildcard": "a**"}]}))
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="bad", ScheduleExpression="rate(1 minutes)")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        events.test_event_pattern(EventPattern='{"source": "x"}', Event="{}")
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"


# observability -------------------------------------------------------------------------------------


def test_the_console_lists_rules_and_schedules_with_their_next_firing(cloud):
    rows = {r["address"]: r for r in cloud.http.get(f"{cloud.base}/_local/api/eventbridge", timeout=10).json()}
    assert rows["RecorderTick"]["schedule"] == "rate(1 minute)" and rows["RecorderTick"]["next"]
    assert rows["RecorderPaused"]["state"] == "DISABLED" and rows["RecorderPaused"]["next"] is None
    assert rows["RecorderHourly"]["kind"] == "schedule" and rows["RecorderHourly"]["next"]
    assert rows["RecorderOnOrder"]["bus"] == "shop-orders" and "shop" in rows["RecorderOnOrder"]["pattern"]
    page = cloud.http.get(f"{cloud.base}/_local/resources", timeout=10).text
    assert "EventBridge rules and schedules" in page and "rate(1 minute)" in page


def test_each_delivery_is_in_the_event_log(cloud):
    response = put(cloud, {"Source": "queue", "Detail": json.dumps({"n": 2})})
    assert cloud.wait_idle()
    event_id = response["Entries"][0]["EventId"]
    log = cloud.http.get(f"{cloud.base}/_local/api/events", timeout=10).json()
    mine = [e for e in log if e.get("event_id") == event_id and e.get("kind") == "delivery"]
    assert {e["target_id"] for e in mine} == {"inbox", "ordered"} and all(e["outcome"] == "ok" for e in mine)
    routed = [e for e in log if e.get("kind") == "routed" and (e.get("body") or {}).get("id") == event_id]
    assert len(routed) == 1 and routed[0]["rules"][0].startswith("eventbridge-ToQueues")
