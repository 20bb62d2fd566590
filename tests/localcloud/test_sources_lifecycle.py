"""Sources as a whole: broken mappings are reported and isolated, wait_idle is exact, stop joins."""

from __future__ import annotations

import json
import threading

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


def test_broken_mappings_are_reported_by_address_and_the_others_run(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("fine"))
    fns = FakeFunctions()
    fns.add("Consumer")
    missing_queue = f"arn:aws:sqs:us-east-1:123456789012:{unique('ghost')}"
    resources = [
        mapping("NoQueue", missing_queue, "Consumer"),
        mapping("NoFunction", arn, "GhostFunction"),
        mapping("BadFilter", arn, "Consumer", FilterCriteria={"Filters": [{"Pattern": '{"body": "bare"}'}]}),
        mapping("NoSource", "arn:aws:sns:us-east-1:123456789012:topic", "Consumer"),
        mapping("Good", arn, "Consumer"),
    ]
    with running(moto_url, fns, resources) as (sources, events):
        aws("sqs").send_message(QueueUrl=url, MessageBody="works")
        assert sources.wait_idle(10)
    assert [r["body"] for r in fns.records_for("Consumer")] == ["works"]
    errors = {e["source"]: e["body"]["error"] for e in logged(events, "error")}
    assert set(errors) == {"NoQueue", "NoFunction", "BadFilter", "NoSource"}
    assert all(message.startswith(address) for address, message in errors.items())
    assert "GhostFunction" in errors["NoFunction"] and "Filters[0]" in errors["BadFilter"]


def test_disabled_mapping_is_not_polled(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("off"))
    fns = FakeFunctions()
    fns.add("Consumer")
    with running(moto_url, fns, [mapping("Off", arn, "Consumer", Enabled=False)]) as (sources, _):
        aws("sqs").send_message(QueueUrl=url, MessageBody="stays")
        assert sources.wait_idle(3)
    assert fns.events_for("Consumer") == []
    assert [m["Body"] for m in drain(aws, url)] == ["stays"]


def test_an_invoker_exception_fails_the_batch_without_killing_the_poller(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("crash"), VisibilityTimeout="1")
    fns = FakeFunctions()
    fns.add("Consumer")
    real_invoke = fns.__call__
    crashed = []

    def invoke(function_arn, event):
        if not crashed:
            crashed.append(1)
            raise RuntimeError("worker pool exploded")
        return real_invoke(function_arn, event)

    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, events):
        for poller in sources.pollers:
            poller.invoke = invoke
        aws("sqs").send_message(QueueUrl=url, MessageBody="survives")
        assert sources.wait_idle(10)
    assert [r["body"] for r in fns.records_for("Consumer")] == ["survives"]
    first = logged(events, "delivery")[0]
    assert first["outcome"] == "error" and first["error"]["errorType"] == "RuntimeError"


def test_a_queue_deleted_under_a_poller_is_reported_and_other_pollers_continue(moto_url):
    aws = client_factory(moto_url)
    doomed_url, doomed_arn = make_queue(aws, unique("doomed"))
    url, arn = make_queue(aws, unique("alive"))
    fns = FakeFunctions()
    fns.add("Consumer")
    resources = [mapping("Doomed", doomed_arn, "Consumer"), mapping("Alive", arn, "Consumer")]
    with running(moto_url, fns, resources) as (_, events):
        aws("sqs").delete_queue(QueueUrl=doomed_url)
        wait_for(lambda: logged(events, "error", source="Doomed"), timeout=10)
        aws("sqs").send_message(QueueUrl=url, MessageBody="still flowing")
        wait_for(lambda: fns.records_for("Consumer"))
    assert [r["body"] for r in fns.records_for("Consumer")] == ["still flowing"]
    assert logged(events, "error", source="Doomed")[0]["body"]["error"].startswith("Doomed:")


def test_wait_idle_counts_a_message_waiting_out_its_visibility_timeout_as_busy(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("vis"), VisibilityTimeout="2")
    attempts = []

    def handler(event):
        attempts.append(1)
        if len(attempts) == 1:
            raise FunctionFailed("retry me")

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, _):
        assert sources.wait_idle(2)
        aws("sqs").send_message(QueueUrl=url, MessageBody="x")
        wait_for(lambda: attempts)
        assert not sources.wait_idle(0.5)
        assert sources.wait_idle(15)
        assert len(attempts) == 2


def test_wait_idle_means_the_effects_happened(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("effects"))
    done = []
    fns = FakeFunctions()
    fns.add("Consumer", lambda event: done.extend(json.loads(r["body"]) for r in event["Records"]))
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, _):
        for i in range(20):
            aws("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(i))
            assert sources.wait_idle(10)
            assert done[-1] == i


def test_stop_waits_for_running_invocations_and_nothing_runs_until_start(moto_url):
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("stop"))
    started, release = threading.Event(), threading.Event()

    def handler(event):
        started.set()
        release.wait(10)

    fns = FakeFunctions()
    fns.add("Consumer", handler)
    with running(moto_url, fns, [mapping("A", arn, "Consumer"), mapping("B", arn, "Consumer")]) as (sources, _):
        aws("sqs").send_message(QueueUrl=url, MessageBody="first")
        assert started.wait(10)
        stopper = threading.Thread(target=sources.stop)
        stopper.start()
        stopper.join(0.3)
        assert stopper.is_alive(), "stop returned while an invocation was still running"
        release.set()
        stopper.join(10)
        assert not stopper.is_alive()
        aws("sqs").send_message(QueueUrl=url, MessageBody="while stopped")
        wait_for(lambda: all(p.alive_threads() == 0 for p in sources.pollers), timeout=5)
        assert [r["body"] for r in fns.records_for("Consumer")] == ["first"]
        sources.start()
        assert sources.wait_idle(10)
    assert [r["body"] for r in fns.records_for("Consumer")] == ["first", "while stopped"]


def test_the_runtimes_reset_sequence_leaves_pollers_ready_at_once(moto_url):
    """stop → (wipe) → reset → start, as the runtime does between tests: a message sent right after is
    delivered promptly, even by a thread that was still parked in its long-poll during the reset."""
    aws = client_factory(moto_url)
    url, arn = make_queue(aws, unique("cycle"))
    fns = FakeFunctions()
    fns.add("Consumer")
    with running(moto_url, fns, [mapping("Map", arn, "Consumer")]) as (sources, _):
        for round_ in range(3):
            sources.stop()
            sources.reset()
            sources.start()
            aws("sqs").send_message(QueueUrl=url, MessageBody=str(round_))
            assert sources.wait_idle(5)
    assert [r["body"] for r in fns.records_for("Consumer")] == ["0", "1", "2"]


def test_restart_resumes_streams_where_they_stopped(moto_url):
    aws = client_factory(moto_url)
    name = unique("resume")
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    fns = FakeFunctions()
    fns.add("Consumer")
    with running(moto_url, fns, [mapping("Map", arn, "Consumer", StartingPosition="LATEST")]) as (sources, _):
        kinesis.put_record(StreamName=name, Data=b"1", PartitionKey="k")
        assert sources.wait_idle(10)
        sources.stop()
        kinesis.put_record(StreamName=name, Data=b"2", PartitionKey="k")
        sources.start()
        assert sources.wait_idle(10)
    assert [r["kinesis"]["data"] for r in fns.records_for("Consumer")] == ["MQ==", "Mg=="]
