"""One Firehose delivery: records through the Lambda processor, then concatenated, compressed, named
and put to S3, with the records that failed processing under the error output prefix.

Objects are written through the AWS front (`aws("s3")`) as any client's PutObject is, so the bucket's
notifications fire and persistence sees the change, as after Firehose's own writes on AWS. Records are
concatenated as they are: Firehose adds no delimiter (AppendDelimiterToRecord adds a newline).

The processor gets the documented event (`invocationId`, `deliveryStreamArn`, `region`, `records` with
`recordId`, `approximateArrivalTimestamp` and base64 `data`; plus `sourceKinesisStreamArn` and each
record's `kinesisRecordMetadata` for a Kinesis source) and must answer every recordId exactly once with
`result` Ok, Dropped or ProcessingFailed and base64 `data`. A failed invocation or a malformed answer is
retried NumberOfRetries times; then, as ProcessingFailed records, its records go to the error output as
JSON lines of `{attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
rawData, lambdaArn}`, compressed like the data.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from localcloud.firehose import names
from localcloud.firehose.buffer import Record
from localcloud.firehose.config import DeliveryConfig
from localcloud.model import EventLog, InvokeResult

RESULTS = ("Ok", "Dropped", "ProcessingFailed")
RETRY_BACKOFF = (0.1, 1.0)
FAILED_STATUS = "ProcessingFailed status set for record"

Invoke = Callable[[str, dict], InvokeResult]


class Delivery:
    def __init__(
        self,
        config: DeliveryConfig,
        aws: Callable[[str], Any],
        events: EventLog,
        region: str,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.config = config
        self.aws = aws
        self.events = events
        self.region = region
        self.sleep = sleep

    def deliver(self, records: list[Record], invoke: Invoke | None = None) -> None:
        """Write one buffer's worth of records; raises when S3 refuses (the caller keeps the records)."""
        if not records:
            return
        failed: list[dict] = []
        kept = [(r, r.data) for r in records]
        if self.config.processor is not None:
            if invoke is None:
                raise ValueError("a stream with a Lambda processor needs an invoker")
            kept, failed = self._process(records, invoke)
        if self.config.append_delimiter:
            kept = [(r, data + b"\n") for r, data in kept]
        if kept:
            oldest = min(r.arrival for r, _ in kept)
            self._write(self.config.prefix, [data for _, data in kept], oldest, None, len(kept))
        if failed:
            oldest = min(f["arrivalTimestamp"] for f in failed) / 1000
            lines = [json.dumps(f).encode() + b"\n" for f in failed]
            self._write(self.config.error_prefix, lines, oldest, names.PROCESSING_FAILED, len(failed))

    # S3 -----------------------------------------------------------------------------------------------

    def _write(self, template: str, parts: list[bytes], oldest: float, error_type: str | None, count: int) -> None:
        instant = datetime.fromtimestamp(oldest, self.config.zone)
        prefix = names.evaluate(template, instant, error_type=error_type)
        key = names.object_key(prefix, self.config.name, self.config.version, instant, self.config.extension)
        body = b"".join(parts)
        stored = gzip.compress(body) if self.config.compression == "GZIP" else body
        self.aws("s3").put_object(Bucket=self.config.bucket, Key=key, Body=stored)
        summary = {
            "bucket": self.config.bucket,
            "key": key,
            "records": count,
            "bytes": len(body),
            "storedBytes": len(stored),
            "compression": self.config.compression,
        }
        if error_type is not None:
            summary["errorOutputType"] = error_type
        self.events.record(
            "firehose",
            "delivery",
            self.config.name,
            summary,
            source=self.config.address,
            destination=f"s3://{self.config.bucket}/{key}",
            outcome="ok" if error_type is None else "error",
        )

    # the Lambda processor -----------------------------------------------------------------------------

    def _process(self, records: list[Record], invoke: Invoke) -> tuple[list[tuple[Record, bytes]], list[dict]]:
        kept: list[tuple[Record, bytes]] = []
        failed: list[dict] = []
        for chunk in _chunks(records, self.config.processor.buffer_bytes):  # type: ignore[union-attr]
            chunk_kept, chunk_failed = self._invoke(chunk, invoke)
            kept += chunk_kept
            failed += chunk_failed
        return kept, failed

    def _invoke(self, chunk: list[Record], invoke: Invoke) -> tuple[list[tuple[Record, bytes]], list[dict]]:
        processor = self.config.processor
        assert processor is not None
        event = self._event(chunk)
        attempts = 0
        while True:
            attempts += 1
            result = invoke(processor.function_arn, event)
            answers, code, message = read_answer(chunk, result)
            self.events.record(
                "firehose",
                "processing",
                self.config.name,
                {"invocationId": event["invocationId"], "records": len(chunk), "attempt": attempts},
                source=self.config.address,
                function=processor.function_arn,
                request_id=result.request_id,
                outcome="ok" if code is None else "error",
                error=None if code is None else {"errorCode": code, "errorMessage": message},
            )
            if answers is not None:
                break
            if attempts > processor.retries:
                return [], [self._failure(r, attempts, code or "", message) for r in chunk]
            low, high = RETRY_BACKOFF
            self.sleep(min(low * 2 ** (attempts - 1), high))
        kept = []
        failed = []
        for record in chunk:
            outcome, data = answers[record.record_id]
            if outcome == "Ok":
                kept.append((record, data))
            elif outcome == "ProcessingFailed":
                failed.append(self._failure(record, attempts, "Lambda.ProcessingFailedStatus", FAILED_STATUS))
        return kept, failed

    def _event(self, chunk: list[Record]) -> dict[str, Any]:
        event: dict[str, Any] = {
            "invocationId": str(uuid.uuid4()),
            "deliveryStreamArn": self.config.arn,
            "region": self.region,
            "records": [],
        }
        if self.config.source_arn:
            event["sourceKinesisStreamArn"] = self.config.source_arn
        for record in chunk:
            item: dict[str, Any] = {
                "recordId": record.record_id,
                "approximateArrivalTimestamp": _ms(record.arrival),
                "data": base64.b64encode(record.data).decode(),
            }
            if record.kinesis is not None:
                item["kinesisRecordMetadata"] = record.kinesis
            event["records"].append(item)
        return event

    def _failure(self, record: Record, attempts: int, code: str, message: str) -> dict[str, Any]:
        return {
            "attemptsMade": attempts,
            "arrivalTimestamp": _ms(record.arrival),
            "errorCode": code,
            "errorMessage": message,
            "attemptEndingTimestamp": _ms(time.time()),
            "rawData": base64.b64encode(record.data).decode(),
            "lambdaArn": self.config.processor.function_arn if self.config.processor else "",
        }


def read_answer(
    chunk: list[Record], result: InvokeResult
) -> tuple[dict[str, tuple[str, bytes]] | None, str | None, str]:
    """The processor's answer by recordId, or (None, errorCode, errorMessage) as Firehose reports it."""
    if result.error is not None:
        return None, "Lambda.FunctionError", f"{result.error.get('errorType')}: {result.error.get('errorMessage')}"
    payload = result.payload
    items = payload.get("records") if isinstance(payload, dict) else None
    malformed = "Lambda.JsonProcessingException"
    if not isinstance(items, list):
        return None, malformed, 'the function did not return {"records": [...]}'
    sent = {r.record_id for r in chunk}
    answers: dict[str, tuple[str, bytes]] = {}
    for item in items:
        if not isinstance(item, dict) or item.get("result") not in RESULTS:
            return None, malformed, "every returned record needs a result of Ok, Dropped or ProcessingFailed"
        record_id = item.get("recordId")
        if record_id not in sent:
            return None, "Lambda.MissingRecordId", f"record id {record_id!r} was not in the invocation"
        if record_id in answers:
            return None, "Lambda.DuplicatedRecordId", f"record id {record_id!r} was returned twice"
        try:
            data = base64.b64decode(item.get("data") or "", validate=True)
        except (binascii.Error, TypeError, ValueError):
            return None, malformed, f"the data of record {record_id!r} is not base64"
        answers[record_id] = (str(item["result"]), data)
    if len(answers) != len(sent):
        return None, "Lambda.MissingRecordId", f"{len(sent) - len(answers)} record ids were not returned"
    return answers, None, ""


def _chunks(records: list[Record], limit: int) -> list[list[Record]]:
    chunks: list[list[Record]] = []
    size = 0
    for record in records:
        if not chunks or size + len(record.data) > limit:
            chunks.append([])
            size = 0
        chunks[-1].append(record)
        size += len(record.data)
    return chunks


def _ms(epoch: float) -> int:
    return int(epoch * 1000)
