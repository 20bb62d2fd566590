"""Worker faults lose nothing. A worker killed mid-batch fails the invocation as Lambda's
`Runtime.ExitError`; the batch comes back after the visibility timeout to a new worker, or, still
failing at maxReceiveCount, sits in the DLQ. An invocation held past its Timeout ends as `Task timed
out`, its worker is replaced, and the stream record is retried or described to the on-failure queue.
Every message is counted: processed + DLQ = sent."""

from __future__ import annotations

import json

import pytest

from tests.faults.conftest import drain, log_entries, log_lines, processed

SENT = [f"job-{n}" for n in range(10)]

pytestmark = pytest.mark.localcloud  # on the faults fixture template (tests/faults/conftest.py)


def send_work(cloud, outputs) -> None:
    cloud.aws("sqs").send_message_batch(
        QueueUrl=outputs["WorkQueue"], Entries=[{"Id": body, "MessageBody": body} for body in SENT]
    )


def invocation_errors(cloud, function: str) -> list[str]:
    return [line for line in log_lines(cloud, function) if "Error: " in line and line.startswith("RequestId")]


def test_a_worker_killed_mid_batch_has_its_batch_redelivered_and_nothing_is_lost(app):
    cloud, outputs, faults = app
    rule = faults.crash("Worker", seconds=0.6, count=1)  # 0.1 s per message at least: a few are done, not all

    send_work(cloud, outputs)
    assert cloud.wait_idle(40)

    assert faults.hits(rule) == 1
    (exit_error,) = invocation_errors(cloud, "Worker")
    assert exit_error.endswith("Error: Runtime exited with error: signal: killed")
    entries = log_entries(cloud, "Worker")
    crashed = next(e["request_id"] for e in entries if e["line"] == exit_error)
    in_crashed = [e["line"] for e in entries if e["request_id"] == crashed]
    done_before = [line.split()[1] for line in in_crashed if line.startswith("processed ")]
    assert 0 < len(done_before) < len(SENT), "the worker died in the middle of its batch"
    redelivered = {line.split()[1] for line in log_lines(cloud, "Worker", "processed ") if line.endswith("receive 2")}
    assert set(done_before) < redelivered, "the whole batch came back, the part already done too"
    assert processed(cloud, outputs["ProcessedTable"]) == set(SENT)
    assert drain(cloud, outputs["WorkDlq"]) == []


def test_a_batch_whose_worker_always_dies_ends_in_the_dlq(app):
    cloud, outputs, faults = app
    rule = faults.crash("Worker", seconds=0)

    send_work(cloud, outputs)
    assert cloud.wait_idle(40)

    dead = sorted(m["Body"] for m in drain(cloud, outputs["WorkDlq"]))
    done = processed(cloud, outputs["ProcessedTable"])
    assert dead == sorted(SENT) and done == set(), "processed + DLQ = sent"
    assert faults.hits(rule) >= 2, "received maxReceiveCount (2) times before the DLQ"
    assert all(e.endswith("signal: killed") for e in invocation_errors(cloud, "Worker"))


def test_an_invocation_past_its_timeout_is_replaced_and_the_record_retried(app):
    cloud, outputs, faults = app
    rule = faults.delay("Slow", seconds=1.5, count=1)  # the function's Timeout is 1 s

    cloud.aws("dynamodb").put_item(TableName=outputs["JobsTable"], Item={"id": {"S": "late"}})
    assert cloud.wait_idle(40)

    assert faults.hits(rule) == 1
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in log_lines(cloud, "Slow"))
    reports = [line for line in log_lines(cloud, "Slow", "REPORT ")]
    assert "Status: timeout" in reports[0] and "Init Duration" in reports[1], "a new worker ran the retry"
    assert processed(cloud, outputs["ProcessedTable"]) == {"late"}
    assert drain(cloud, outputs["JobFailureQueue"]) == []


def test_a_record_that_always_times_out_goes_to_the_on_failure_queue(app):
    cloud, outputs, faults = app
    faults.delay("Slow", seconds=1.2)

    cloud.aws("dynamodb").put_item(TableName=outputs["JobsTable"], Item={"id": {"S": "never"}})
    assert cloud.wait_idle(40)

    (failure,) = drain(cloud, outputs["JobFailureQueue"])
    described = json.loads(failure["Body"])
    assert described["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert described["responseContext"]["functionError"] == "Unhandled"
    assert described["DDBStreamBatchInfo"]["batchSize"] == 1
    assert processed(cloud, outputs["ProcessedTable"]) == set()
    timeouts = [line for line in log_lines(cloud, "Slow") if line.endswith("Task timed out after 1.00 seconds")]
    assert len(timeouts) == 2, "tried once, retried once (MaximumRetryAttempts: 1)"
