"""Firehose delivery streams as pollers: take records from the Kinesis source (or from DirectPut),
buffer them by the buffering hints, and deliver them to S3 (`localcloud.firehose`).

- Kinesis source: each shard is read from LATEST as of the poller's first setup. That is when the
  delivery stream is created, since localcloud creates it at start before any client can write, and
  it is what Firehose does ("Firehose starts reading data from the LATEST position of your Kinesis
  stream"). Shards that appear later (resharding) are read from their start. Firehose reads each shard
  once a second; here an idle source is polled from 50 ms backing off to 0.5 s, so tests wait less.
- DirectPut: PutRecord and PutRecordBatch hand the records to the buffer (`moto_patches.firehose`).
- Delivery happens when the hints say so, never earlier. `quiet()` is False while records are
  buffered, so `wait_idle` waits for the interval to pass and the object to be written: it does not
  flush early, because an early flush would write objects AWS would not (their number, size and names,
  the instants in their prefixes). Tests use short intervals (a template parameter set in samconfig's
  `local` env).
- At shutdown (`drain`) what the source still holds is read and everything buffered is delivered, as
  smaller objects than the hints would make: Kinesis streams are not kept across restarts, so records
  left in the stream or the buffer would otherwise be lost. A reset drops the buffer and resumes from
  LATEST, like the stream pollers.
- When S3 refuses a write (the bucket is gone) the records stay buffered, the error is logged once and
  delivery is retried with backoff, as Firehose retries for up to 24 hours.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from localcloud.firehose.buffer import Buffer, Record
from localcloud.firehose.config import DeliveryConfig
from localcloud.firehose.delivery import Delivery, Invoke
from localcloud.model import EventLog, InvokeResult, Throttled
from localcloud.moto_patches import firehose as direct_put
from localcloud.sources.idle import Activity
from localcloud.sources.poller import Poller, Stopped
from localcloud.sources.shapes import epoch
from localcloud.sources.shards import KinesisShards
from localcloud.sources.streams import Cursor

IDLE_BACKOFF = (0.05, 0.5)
RETRY_BACKOFF = (0.5, 10.0)
SHARD_REFRESH_SECONDS = 5.0
READ_LIMIT = 10000
_EXPIRED = ("ExpiredIteratorException", "TrimmedDataAccessException")


class FirehosePoller(Poller):
    channel = "firehose"

    def __init__(
        self,
        config: DeliveryConfig,
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        events: EventLog,
        activity: Activity,
        region: str,
        account_id: str,
    ):
        super().__init__(config.address, config.name, events, activity)
        self.config = config
        self.invoke = invoke
        self.account_id = account_id
        self.region = region
        self.buffer = Buffer(config.buffer_bytes, config.interval)
        self.delivery = Delivery(config, aws, events, region, sleep=self.sleep)
        self.reader = KinesisShards(aws("kinesis"), config.source_arn, region) if config.source_arn else None
        self.cursors: dict[str, Cursor] = {}
        self._position = "LATEST"
        self._read_lock = threading.Lock()
        self._refreshed = 0.0
        self._idle_delay = IDLE_BACKOFF[0]
        self._failures = 0
        self._retry_at = 0.0

    # setup ------------------------------------------------------------------------------------------

    def setup(self) -> None:
        if self.reader is None:
            direct_put.attach(self.account_id, self.region, self.config.name, self._put)
            return
        self._discover(self._position)

    def _discover(self, position: str) -> None:
        assert self.reader is not None
        with self._read_lock:
            for info in self.reader.shards():
                if info.shard_id in self.cursors:
                    continue
                cursor = Cursor(info)
                cursor.iterator = self.reader.iterator(info.shard_id, position)
                self.cursors[info.shard_id] = cursor
        self._refreshed = time.monotonic()

    def reset(self) -> None:
        """Drop the buffer and resume from the newest record of every shard (records up to now are skipped)."""
        with self._setup_lock, self._read_lock:
            self._position = "LATEST"
            self.cursors = {}
            self.buffer.clear()
            self._retry_at = 0.0
            self.ready = False
        super().reset()
        self.try_setup()

    # polling ----------------------------------------------------------------------------------------

    def poll_once(self) -> None:
        generation = self._generation
        read = self._read_source()
        if self.stopping:
            return
        delivered, _ = self._deliver_due(self._invoker(generation))
        if read or delivered:
            self._idle_delay = IDLE_BACKOFF[0]
            return
        wait = self._idle_delay
        due = self.buffer.seconds_until_due()
        if due is not None:
            wait = min(wait, max(due, self._retry_at - time.monotonic(), 0.0))
        self.sleep(wait)
        self._idle_delay = min(self._idle_delay * 2, IDLE_BACKOFF[1])

    def _read_source(self) -> int:
        """Read every shard up to its tip into the buffer; returns how many records came in."""
        if self.reader is None or not self.ready:
            return 0
        if time.monotonic() - self._refreshed > SHARD_REFRESH_SECONDS:
            with self._setup_lock:
                if self.ready:
                    self._discover("TRIM_HORIZON")
        total = 0
        with self._read_lock:
            for cursor in list(self.cursors.values()):
                while not cursor.done:
                    raw, following = self._read(cursor)
                    if raw:
                        self.buffer.add(self._record(r, cursor.info.shard_id) for r in raw)
                        cursor.checkpoint = raw[-1]["SequenceNumber"]
                        total += len(raw)
                    cursor.iterator = following
                    cursor.done = following is None
                    if len(raw) < READ_LIMIT:
                        break
        return total

    def _read(self, cursor: Cursor) -> tuple[list[dict], str | None]:
        assert self.reader is not None
        try:
            return self.reader.read(cursor.iterator or "", READ_LIMIT)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _EXPIRED:
                raise
        shard = cursor.info.shard_id
        if cursor.checkpoint is None:
            cursor.iterator = self.reader.iterator(shard, "TRIM_HORIZON")
        else:
            cursor.iterator = self.reader.iterator(shard, "AFTER_SEQUENCE_NUMBER", sequence=cursor.checkpoint)
        return self.reader.read(cursor.iterator, READ_LIMIT)

    def _record(self, raw: dict, shard_id: str) -> Record:
        arrival = epoch(raw["ApproximateArrivalTimestamp"])
        return Record(
            data=raw["Data"],
            arrival=arrival,
            record_id=_record_id(),
            kinesis={
                "sequenceNumber": raw["SequenceNumber"],
                "subsequenceNumber": 0,
                "partitionKey": raw["PartitionKey"],
                "shardId": shard_id,
                "approximateArrivalTimestamp": int(arrival * 1000),
            },
        )

    def _put(self, bodies: list[bytes]) -> list[str]:
        """DirectPut: called on the request's thread by moto, for PutRecord and PutRecordBatch."""
        now = time.time()
        records = [Record(data=body, arrival=now, record_id=_record_id()) for body in bodies]
        self.buffer.add(records)
        self.wake()
        return [r.record_id for r in records]

    # delivery ---------------------------------------------------------------------------------------

    def _deliver_due(self, invoke: Invoke, *, everything: bool = False) -> tuple[bool, bool]:
        """Deliver every object that is due (all that is buffered with `everything`): (delivered, failed)."""
        delivered = False
        while True:
            due = self.buffer.seconds_until_due()
            if due is None or (due > 0 and not everything):
                return delivered, False
            if not everything and time.monotonic() < self._retry_at:
                return delivered, False
            with self.activity.working():
                records = self.buffer.take(everything=everything)
                if not records:
                    return delivered, False
                try:
                    self.delivery.deliver(records, invoke)
                except Stopped:
                    self.buffer.put_back(records)
                    raise
                except Exception as exc:
                    self.buffer.put_back(records)
                    self._failures += 1
                    low, high = RETRY_BACKOFF
                    self._retry_at = time.monotonic() + min(low * 2 ** (self._failures - 1), high)
                    self.report_error(exc, f"delivery to s3://{self.config.bucket} failed; the records stay buffered")
                    return delivered, True
            self._failures = 0
            self._retry_at = 0.0
            self._last_error = None
            delivered = True

    def _invoker(self, generation: int) -> Invoke:
        return lambda arn, event: self.invoke_until_accepted(self.invoke, arn, event, generation)

    def drain(self) -> None:
        """At shutdown, after the threads stopped: read what the source holds, deliver everything buffered."""
        if not self.ready:
            return
        try:
            self._read_source()
        except Exception as exc:
            self.report_error(exc, "reading the source at shutdown failed")
        _, failed = self._deliver_due(self._invoke_at_shutdown, everything=True)
        if failed or len(self.buffer):
            self.report_error(RuntimeError(f"{len(self.buffer)} records were not delivered"), "shutdown")

    def _invoke_at_shutdown(self, function_arn: str, event: dict) -> InvokeResult:
        """Invoke the processor without the stop check (the poller is stopped), waiting out throttling."""
        delay = 0.05
        deadline = time.monotonic() + 30
        while True:
            try:
                return self.invoke(function_arn, event)
            except Throttled:
                if time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
            except Exception as exc:
                return InvokeResult("", error={"errorType": type(exc).__name__, "errorMessage": str(exc)})

    # idle -------------------------------------------------------------------------------------------

    def quiet(self) -> bool:
        """Nothing buffered and no record past any shard's position (probed with the poller's iterator)."""
        if len(self.buffer):
            return False
        if self.reader is None or not self.ready:
            return True
        if not self._read_lock.acquire(blocking=False):
            return False
        try:
            for cursor in self.cursors.values():
                if cursor.done or cursor.iterator is None:
                    continue
                records, _ = self.reader.read(cursor.iterator, 1)
                if records:
                    self.wake()
                    return False
        finally:
            self._read_lock.release()
        return True


def _record_id() -> str:
    return secrets.token_hex(28)
