"""Firehose's buffering hints, the processor's status model and its error output, and the stream
properties localcloud refuses rather than deliver differently from AWS (no moto, no workers)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from localcloud.firehose.buffer import Buffer, Record
from localcloud.firehose.config import DeliveryConfigError, parse
from localcloud.firehose.delivery import Delivery, read_answer
from localcloud.model import EventLog, InvokeResult

ARN = "arn:aws:firehose:us-east-1:123456789012:deliverystream/views"
BUCKET = {"BucketARN": "arn:aws:s3:::archive", "RoleARN": "arn:aws:iam::123456789012:role/r"}
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:transform"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class S3:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> None:
        self.objects[Key] = Body


def record(data: bytes, n: int = 0) -> Record:
    return Record(data=data, arrival=1535365805.0 + n, record_id=f"id-{n}")


def config(**destination):
    props = {"ExtendedS3DestinationConfiguration": {**BUCKET, **destination}}
    return parse(props, address="Views", name="views", arn=ARN)


def test_the_interval_counts_from_the_oldest_buffered_record():
    clock = Clock()
    buffer = Buffer(size_bytes=1000, interval=60, clock=clock)
    assert buffer.seconds_until_due() is None
    buffer.add([record(b"a")])
    clock.now += 50
    buffer.add([record(b"b", 1)])
    assert buffer.seconds_until_due() == 10
    assert buffer.take() == []
    clock.now += 10
    assert [r.data for r in buffer.take()] == [b"a", b"b"]
    assert len(buffer) == 0


def test_reaching_the_size_delivers_at_once_and_no_object_exceeds_it():
    buffer = Buffer(size_bytes=10, interval=900, clock=Clock())
    buffer.add([record(b"x" * 4, n) for n in range(6)])
    assert buffer.seconds_until_due() == 0
    assert [len(buffer.take()) for _ in range(3)] == [2, 2, 0]  # the rest waits for the interval
    assert len(buffer) == 2


def test_a_zero_interval_delivers_what_came_in_and_put_back_keeps_order():
    buffer = Buffer(size_bytes=100, interval=0, clock=Clock())
    buffer.add([record(b"a"), record(b"b", 1)])
    taken = buffer.take()
    buffer.add([record(b"c", 2)])
    buffer.put_back(taken)
    assert [r.data for r in buffer.take()] == [b"a", b"b", b"c"]


def test_records_are_concatenated_gzipped_and_named_under_the_evaluated_prefix():
    s3, events = S3(), EventLog()
    cfg = config(Prefix="views/!{timestamp:yyyy/MM/dd}/", ErrorOutputPrefix="e/!{firehose:error-output-type}/",
                 CompressionFormat="GZIP")  # fmt: skip
    Delivery(cfg, lambda service: s3, events, "us-east-1").deliver([record(b"one\n", 5), record(b"two\n", 1)])
    ((key, body),) = s3.objects.items()
    assert key.startswith("views/2018/08/27/views-1-2018-08-27-10-30-06-") and key.endswith(".gz")
    assert gzip.decompress(body) == b"one\ntwo\n"
    (entry,) = events.entries()
    assert (entry["channel"], entry["kind"], entry["body"]["records"]) == ("firehose", "delivery", 2)


def processed(answer, chunk_ids=("id-0", "id-1", "id-2")):
    records = [{"recordId": i, "result": r, "data": base64.b64encode(d).decode()} for i, r, d in answer]
    return InvokeResult("req", payload={"records": records}), chunk_ids


def test_the_processor_keeps_ok_records_drops_dropped_and_sends_failed_ones_to_the_error_output():
    s3 = S3()
    cfg = config(Prefix="ok/", ProcessingConfiguration={"Enabled": True, "Processors": [
        {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": LAMBDA}]}]})  # fmt: skip
    calls = []

    def invoke(arn, event):
        calls.append(event)
        result, _ = processed([("id-0", "Ok", b"A"), ("id-1", "Dropped", b""), ("id-2", "ProcessingFailed", b"")])
        return result

    Delivery(cfg, lambda service: s3, EventLog(), "us-east-1").deliver(
        [record(b"a"), record(b"b", 1), record(b"c", 2)], invoke
    )
    assert calls[0]["deliveryStreamArn"] == ARN and len(calls[0]["records"]) == 3
    assert base64.b64decode(calls[0]["records"][2]["data"]) == b"c"
    data = {k: v for k, v in s3.objects.items() if k.startswith("ok/2018/")}
    assert list(data.values()) == [b"A"]
    (failed_key,) = [k for k in s3.objects if k.startswith("ok/processing-failed/2018/08/27/10/")]
    (line,) = s3.objects[failed_key].decode().splitlines()
    failure = json.loads(line)
    assert failure["errorCode"] == "Lambda.ProcessingFailedStatus"
    assert base64.b64decode(failure["rawData"]) == b"c"
    assert (failure["attemptsMade"], failure["lambdaArn"]) == (1, LAMBDA)


def test_a_failing_processor_is_retried_then_its_records_fail_with_the_function_error():
    s3 = S3()
    cfg = config(ProcessingConfiguration={"Enabled": "true", "Processors": [{"Type": "Lambda", "Parameters": [
        {"ParameterName": "LambdaArn", "ParameterValue": LAMBDA},
        {"ParameterName": "NumberOfRetries", "ParameterValue": "2"}]}]})  # fmt: skip
    attempts = []

    def invoke(arn, event):
        attempts.append(1)
        return InvokeResult("req", error={"errorType": "RuntimeError", "errorMessage": "boom"})

    Delivery(cfg, lambda service: s3, EventLog(), "us-east-1", sleep=lambda s: None).deliver([record(b"a")], invoke)
    assert len(attempts) == 3
    ((key, body),) = s3.objects.items()
    assert key.startswith("processing-failed/")
    failure = json.loads(body)
    assert (failure["errorCode"], failure["attemptsMade"]) == ("Lambda.FunctionError", 3)
    assert "boom" in failure["errorMessage"]


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ([("id-0", "Ok", b"a")], "Lambda.MissingRecordId"),
        ([("id-0", "Ok", b"a"), ("id-0", "Ok", b"a")], "Lambda.DuplicatedRecordId"),
        ([("id-0", "Fine", b"a"), ("id-1", "Ok", b"b")], "Lambda.JsonProcessingException"),
        ([("id-0", "Ok", b"a"), ("id-9", "Ok", b"b")], "Lambda.MissingRecordId"),
    ],
)
def test_malformed_answers_are_named_as_firehose_names_them(answer, code):
    result, _ = processed(answer)
    answers, error_code, _ = read_answer([record(b"a"), record(b"b", 1)], result)
    assert (answers, error_code) == (None, code)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"DeliveryStreamType": "MSKAsSource"}, "not emulated"),
        ({"DeliveryStreamType": "KinesisStreamAsSource"}, "KinesisStreamARN"),
        ({"ExtendedS3DestinationConfiguration": {**BUCKET, "CompressionFormat": "Snappy"}}, "Snappy is not emulated"),
        ({"ExtendedS3DestinationConfiguration": {**BUCKET, "BufferingHints": {"IntervalInSeconds": 901}}}, "range"),
        ({"ExtendedS3DestinationConfiguration": {**BUCKET, "FileExtension": "gz"}}, "period"),
        ({"ExtendedS3DestinationConfiguration": {**BUCKET, "DynamicPartitioningConfiguration": {"Enabled": True}}},
         "DynamicPartitioning"),
        ({"ExtendedS3DestinationConfiguration": {**BUCKET, "Prefix": "!{timestamp:yyyy}/"}}, "can't be null"),
    ],
)  # fmt: skip
def test_streams_localcloud_cannot_deliver_exactly_are_refused(props, message):
    props = {"ExtendedS3DestinationConfiguration": BUCKET, **props}
    with pytest.raises(DeliveryConfigError, match=message):
        parse(props, address="Views", name="views", arn=ARN)


def test_defaults_are_firehose_defaults():
    cfg = parse({"S3DestinationConfiguration": BUCKET}, address="V", name="views", arn=ARN)
    assert (cfg.buffer_bytes, cfg.interval, cfg.compression) == (5 * 1024 * 1024, 300, "UNCOMPRESSED")
    assert (cfg.stream_type, cfg.bucket, cfg.prefix) == ("DirectPut", "archive", "!{timestamp:yyyy/MM/dd/HH/}")
