"""DynamoDB stream and Kinesis event source mappings against a real moto server: record shapes,
starting position, bisect, retries, on-failure destinations, partial batch responses, filters, reset."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from tests.localcloud.test_sources_harness import (
    FakeFunctions,
    FunctionFailed,
    client_factory,
    drain,
    logged,
    make_queue,
    mapping,
    moto_url,
    running,
    unique,
    wait_for,
)

__all__ = ["moto_url"]


def make_table(aws, name: str) -> str:
    ddb = aws("dynamodb")
    table = ddb.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return table["TableDescription"]["LatestStreamArn"]


def make_stream(aws, name: str, shards: int = 1) -> str:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def put(aws, stream: str, payload: dict, key: str = "k") -> str:
    return aws("kinesis").put_record(StreamName=stream, Data=json.dumps(payload).encode(), PartitionKey=key)[
        "SequenceNumber"
    ]


def decoded(record: dict) -> dict:
    return json.loads(base64.b64decode(record["kinesis"]["data"]))


def test_dynamodb_records_have_lambdas_shape(moto_url):
    aws = client_factory(moto_url)
    table = unique("posts")
    stream_arn = make_table(aws, table)
    fns = FakeFunctions()
    fns.add("OnChange")
    esm = mapping("Map", stream_arn, "OnChange", StartingPosition="TRIM_HORIZON")
    with running(moto_url, fns, [esm]) as (sources, events):
        ddb = aws("dynamodb")
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}, "b": {"B": b"\x01\x02"}})
        ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "2"}})
        ddb.delete_item(TableName=table, Key={"pk": {"S": "a"}})
        assert sources.wait_idle(10)
    records = fns.records_for("OnChange")
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    insert, modify, remove = records
    assert insert["eventSource"] == "aws:dynamodb" and insert["eventSourceARN"] == stream_arn
    assert insert["awsRegion"] == "us-east-1" and insert["eventID"]
    assert insert["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    assert insert["dynamodb"]["NewImage"]["b"] == {"B": "AQI="}
    assert isinstance(insert["dynamodb"]["ApproximateCreationDateTime"], int)
    assert insert["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["dynamodb"]["OldImage"]["n"] == {"N": "1"} and modify["dynamodb"]["NewImage"]["n"] == {"N": "2"}
    assert "NewImage" not in remove["dynamodb"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert seqs == sorted(seqs)
    assert logged(events, "delivery")[0]["function"] == "OnChange"


def test_kinesis_records_have_lambdas_shape(moto_url):
    aws = client_factory(moto_url)
    name = unique("views")
    stream_arn = make_stream(aws, name)
    fns = FakeFunctions()
    fns.add("Aggregate")
    esm = mapping("Map", stream_arn, "Aggregate", StartingPosition="TRIM_HORIZON")
    with running(moto_url, fns, [esm]) as (sources, _):
        seq = put(aws, name, {"page": "/a"}, key="p1")
        assert sources.wait_idle(10)
    [record] = fns.records_for("Aggregate")
    assert decoded(record) == {"page": "/a"}
    assert record["kinesis"]["partitionKey"] == "p1"
    assert record["kinesis"]["sequenceNumber"] == seq
    assert record["kinesis"]["kinesisSchemaVersion"] == "1.0"
    assert isinstance(record["kinesis"]["approximateArrivalTimestamp"], float)
    assert record["eventID"] == f"shardId-000000000000:{seq}"
    assert record["eventName"] == "aws:kinesis:record" and record["eventSource"] == "aws:kinesis"
    assert record["eventSourceARN"] == stream_arn and record["invokeIdentityArn"].startswith("arn:aws:iam::")


def test_starting_position_latest_skips_older_records(moto_url):
    aws = client_factory(moto_url)
    name = unique("latest")
    stream_arn = make_stream(aws, name)
    put(aws, name, {"n": "old"})
    fns = FakeFunctions()
    fns.add("Aggregate")
    with running(moto_url, fns, [mapping("Map", stream_arn, "Aggregate", StartingPosition="LATEST")]) as (sources, _):
        put(aws, name, {"n": "new"})
        assert sources.wait_idle(10)
    assert [decoded(r) for r in fns.records_for("Aggregate")] == [{"n": "new"}]


def test_poison_record_is_isolated_by_bisect_and_sent_to_on_failure(moto_url):
    aws = client_factory(moto_url)
    name = unique("poison")
    stream_arn = make_stream(aws, name)
    failures_url, failures_arn = make_queue(aws, unique("onfail"))

    def handler(event):
        if any(decoded(r).get("poison") for r in event["Records"]):
            raise FunctionFailed("cannot process")

    fns = FakeFunctions()
    fns.add("Aggregate", handler)
    sequences = [put(aws, name, {"n": i, "poison": i == 5}) for i in range(8)]
    esm = mapping(
        "Map", stream_arn, "Aggregate",
        StartingPosition="TRIM_HORIZON", BatchSize=8, BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )  # fmt: skip
    with running(moto_url, fns, [esm]) as (sources, events):
        assert sources.wait_idle(20)
    succeeded = [
        decoded(r)["n"] for e in fns.events_for("Aggregate") if not any(decoded(r)["poison"] for r in e["Records"])
        for r in e["Records"]
    ]  # fmt: skip
    assert sorted(succeeded) == [0, 1, 2, 3, 4, 6, 7]
    assert succeeded == sorted(succeeded), "per-shard order"
    [message] = drain(aws, failures_url)
    failure = json.loads(message["Body"])
    info = failure["KinesisBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == sequences[5]
    assert info["batchSize"] == 1 and info["shardId"] == "shardId-000000000000" and info["streamArn"] == stream_arn
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 2
    assert failure["requestContext"]["functionArn"].endswith(":function:Aggregate")
    assert failure["responseContext"]["functionError"] == "Unhandled" and failure["version"] == "1.0"
    [sent] = logged(events, "on-failure")
    assert sent["destination"] == failures_arn and sent["function"] == "Aggregate"


def test_partial_batch_response_resumes_from_the_first_failed_record(moto_url):
    aws = client_factory(moto_url)
    table = unique("partial")
    stream_arn = make_table(aws, table)
    failed_once: set[str] = set()

    def handler(event):
        for record in event["Records"]:
            key = record["dynamodb"]["Keys"]["pk"]["S"]
            if key == "c" and key not in failed_once:
                failed_once.add(key)
                return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
        return {"batchItemFailures": []}

    fns = FakeFunctions()
    fns.add("OnChange", handler)
    esm = mapping(
        "Map", stream_arn, "OnChange",
        StartingPosition="TRIM_HORIZON", BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"],
    )  # fmt: skip
    for key in "abcde":
        aws("dynamodb").put_item(TableName=table, Item={"pk": {"S": key}})
    with running(moto_url, fns, [esm]) as (sources, _):
        assert sources.wait_idle(10)
    batches = [[r["dynamodb"]["Keys"]["pk"]["S"] for r in e["Records"]] for e in fns.events_for("OnChange")]
    assert batches == [list("abcde"), list("cde")]


def test_filter_criteria_skip_records_and_count_them_processed(moto_url):
    aws = client_factory(moto_url)
    table = unique("subs")
    stream_arn = make_table(aws, table)
    fns = FakeFunctions()
    fns.add("Welcome")
    criteria = {"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}
    esm = mapping("Map", stream_arn, "Welcome", StartingPosition="TRIM_HORIZON", FilterCriteria=criteria)
    with running(moto_url, fns, [esm]) as (sources, events):
        ddb = aws("dynamodb")
        ddb.put_item(TableName=table, Item={"pk": {"S": "x"}})
        ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "v": {"S": "changed"}})
        ddb.put_item(TableName=table, Item={"pk": {"S": "y"}})
        assert sources.wait_idle(10)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in fns.records_for("Welcome")] == ["x", "y"]
    assert all(r["eventName"] == "INSERT" for r in fns.records_for("Welcome"))
    assert logged(events, "filtered")


def test_kinesis_filter_on_decoded_data(moto_url):
    aws = client_factory(moto_url)
    name = unique("kfilter")
    stream_arn = make_stream(aws, name)
    fns = FakeFunctions()
    fns.add("Aggregate")
    criteria = {"Filters": [{"Pattern": json.dumps({"data": {"path": [{"prefix": "/posts/"}]}})}]}
    esm = mapping("Map", stream_arn, "Aggregate", StartingPosition="TRIM_HORIZON", FilterCriteria=criteria)
    for path in ("/posts/1", "/about", "/posts/2"):
        put(aws, name, {"path": path})
    with running(moto_url, fns, [esm]) as (sources, _):
        assert sources.wait_idle(10)
    assert [decoded(r)["path"] for r in fns.records_for("Aggregate")] == ["/posts/1", "/posts/2"]


def test_exhausted_retries_without_destination_are_logged_and_skipped(moto_url):
    aws = client_factory(moto_url)
    name = unique("nodest")
    stream_arn = make_stream(aws, name)

    def handler(event):
        if any(decoded(r)["bad"] for r in event["Records"]):
            raise FunctionFailed("boom")

    fns = FakeFunctions()
    fns.add("Aggregate", handler)
    put(aws, name, {"bad": True})
    put(aws, name, {"bad": False})
    esm = mapping("Map", stream_arn, "Aggregate", StartingPosition="TRIM_HORIZON", BatchSize=1, MaximumRetryAttempts=0)
    with running(moto_url, fns, [esm]) as (sources, events):
        assert sources.wait_idle(10)
    assert [decoded(r)["bad"] for r in fns.records_for("Aggregate")] == [True, False]
    [discarded] = logged(events, "discarded")
    assert discarded["body"]["KinesisBatchInfo"]["batchSize"] == 1
    assert discarded["body"]["requestContext"]["approximateInvokeCount"] == 1


def test_record_age_bounds_infinite_retries(moto_url):
    aws = client_factory(moto_url)
    name = unique("age")
    stream_arn = make_stream(aws, name)
    failures_url, failures_arn = make_queue(aws, unique("agefail"))
    fns = FakeFunctions()

    def always_fails(event):
        raise FunctionFailed("never works")

    fns.add("Aggregate", always_fails)
    put(aws, name, {"n": 1})
    esm = mapping(
        "Map", stream_arn, "Aggregate",
        StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=-1, MaximumRecordAgeInSeconds=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )  # fmt: skip
    with running(moto_url, fns, [esm]) as (sources, _):
        assert sources.wait_idle(15)
    [message] = drain(aws, failures_url)
    assert json.loads(message["Body"])["requestContext"]["condition"] == "RecordAgeExceeded"
    assert len(fns.events_for("Aggregate")) >= 2


def test_reset_abandons_a_stuck_batch_and_skips_records_up_to_now(moto_url):
    aws = client_factory(moto_url)
    name = unique("reset")
    stream_arn = make_stream(aws, name)

    def handler(event):
        if any(decoded(r)["n"] == "before" for r in event["Records"]):
            raise FunctionFailed("stuck until reset")

    fns = FakeFunctions()
    fns.add("Aggregate", handler)
    put(aws, name, {"n": "before"})
    esm = mapping("Map", stream_arn, "Aggregate", StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=-1)
    with running(moto_url, fns, [esm]) as (sources, _):
        wait_for(lambda: fns.events_for("Aggregate"))
        assert not sources.wait_idle(0.3)
        sources.reset()
        attempts_before_reset = len(fns.events_for("Aggregate"))
        put(aws, name, {"n": "after"})
        assert sources.wait_idle(10)
    seen = [decoded(r)["n"] for r in fns.records_for("Aggregate")]
    assert seen[:attempts_before_reset] == ["before"] * attempts_before_reset
    assert seen[attempts_before_reset:] == ["after"]


@pytest.mark.parametrize("position", ["AT_TIMESTAMP"])
def test_dynamodb_rejects_unsupported_starting_position(moto_url, position):
    aws = client_factory(moto_url)
    stream_arn = make_table(aws, unique("badpos"))
    fns = FakeFunctions()
    fns.add("OnChange")
    with running(moto_url, fns, [mapping("Map", stream_arn, "OnChange", StartingPosition=position)]) as (s, events):
        assert s.wait_idle(5)
    [error] = logged(events, "error")
    assert "Map" in error["body"]["error"] and position in error["body"]["error"]


def _reset_within(sources, seconds: float) -> bool:
    """Run `sources.reset()` on a helper thread; False if it did not return in time (a hang)."""
    done = threading.Event()

    def target():
        sources.reset()
        done.set()

    threading.Thread(target=target, daemon=True).start()
    return done.wait(seconds)


def test_resetting_a_stuck_poller_many_times_never_hangs_and_only_new_records_follow(moto_url):
    aws = client_factory(moto_url)
    name = unique("resets")
    stream_arn = make_stream(aws, name)

    def handler(event):
        if any(decoded(r)["n"] != "after" for r in event["Records"]):
            raise FunctionFailed("stuck until reset")

    fns = FakeFunctions()
    fns.add("Aggregate", handler)
    esm = mapping("Map", stream_arn, "Aggregate", StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=-1)
    with running(moto_url, fns, [esm]) as (sources, _):
        for round_ in range(40):
            put(aws, name, {"n": f"stuck-{round_}"})
            if round_ % 4 == 0:  # now and then the poller is mid-retry when the reset lands
                wait_for(lambda r=round_: any(decoded(x)["n"] == f"stuck-{r}" for x in fns.records_for("Aggregate")))
            assert _reset_within(sources, 10), f"reset {round_} hung"
        calls_before = len(fns.events_for("Aggregate"))
        put(aws, name, {"n": "after"})
        assert sources.wait_idle(10)
    late = [decoded(r)["n"] for event in fns.events_for("Aggregate")[calls_before:] for r in event["Records"]]
    # An invocation already under way when the last reset returned may still land (it cannot be
    # recalled); nothing from before the reset is retried after it.
    assert late[-1] == "after" and late.count("after") == 1 and len(late) <= 2


@pytest.mark.parametrize("kind", ["dynamodb", "kinesis"])
def test_an_append_wakes_an_idle_stream_poller_instead_of_waiting_out_its_back_off(moto_url, monkeypatch, kind):
    """The event log's append entry (moto's stream record tap, the front's PutRecord tap) wakes the
    stream's poller. With a 60 s back-off, only the wake can deliver the record within the 10 s wait."""
    from localcloud.sources import streams

    monkeypatch.setattr(streams, "IDLE_BACKOFF", (60.0, 60.0))
    aws = client_factory(moto_url)
    name = unique("wake")
    stream_arn = make_table(aws, name) if kind == "dynamodb" else make_stream(aws, name)
    fns = FakeFunctions()
    fns.add("OnAppend")
    esm = mapping("Map", stream_arn, "OnAppend", StartingPosition="TRIM_HORIZON")
    with running(moto_url, fns, [esm]) as (sources, events):
        [poller] = sources.pollers
        wait_for(lambda: poller.ready, timeout=10)
        time.sleep(0.5)  # its first empty read done: the poller now sleeps out the 60 s back-off
        if kind == "dynamodb":
            aws("dynamodb").put_item(TableName=name, Item={"pk": {"S": "a"}})
            events.record("dynamodb", "INSERT", name, {})  # what moto's stream tap records in localcloud
        else:
            put(aws, name, {"page": "/a"})
            events.record("kinesis", "PutRecord", name, {}, direction="in")  # what the front's tap records
        assert wait_for(lambda: fns.records_for("OnAppend"), timeout=10)
        events.record(kind, "delivery", name, {})  # a poller's own entries wake nothing
