"""DynamoDB stream and Kinesis event source mappings: one poller shape for both.

Per shard, in order: read up to BatchSize records (waiting up to the batching window for more), drop
those the filters reject (they count as processed), invoke, and advance the checkpoint only when the
batch is done. A failing batch is bisected when BisectBatchOnFunctionError is set, retried up to
MaximumRetryAttempts (-1: until MaximumRecordAgeInSeconds), resumed from the first reported failure
with ReportBatchItemFailures, and finally described to the OnFailure destination and skipped.

Iterators are reused while a shard is idle (moto keeps them valid), so idle polling stays cheap.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from localcloud.model import EventLog, InvokeResult

from .config import MappingConfig, MappingError, arn_name
from .destinations import Destinations
from .filters import dynamodb_view, kinesis_view
from .idle import Activity
from .outcome import ALL_FAILED, error_summary, failed_items
from .poller import Poller
from .shapes import iso
from .shards import DynamoDBShards, KinesisShards, ShardInfo

IDLE_BACKOFF = (0.05, 0.5)
RETRY_BACKOFF = (0.1, 2.0)
SHARD_REFRESH_SECONDS = 5.0
_EXPIRED = ("ExpiredIteratorException", "TrimmedDataAccessException")


@dataclass
class Cursor:
    info: ShardInfo
    iterator: str | None = None
    checkpoint: str | None = None
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class StreamPoller(Poller):
    def __init__(
        self,
        mapping: MappingConfig,
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        events: EventLog,
        activity: Activity,
        destinations: Destinations,
        region: str,
    ):
        super().__init__(mapping.address, arn_name(mapping.source_arn), events, activity)
        self.mapping = mapping
        self.invoke = invoke
        self.destinations = destinations
        self.channel = mapping.kind
        if mapping.kind == "dynamodb":
            self.reader: DynamoDBShards | KinesisShards = DynamoDBShards(
                aws("dynamodbstreams"), mapping.source_arn, region
            )
            self.view = dynamodb_view
        else:
            self.reader = KinesisShards(aws("kinesis"), mapping.source_arn, region, mapping.role_arn)
            self.view = kinesis_view
        self.cursors: dict[str, Cursor] = {}
        self._position = mapping.starting_position
        self._refreshed = 0.0
        self._idle_delay = IDLE_BACKOFF[0]

    # setup and shard discovery ------------------------------------------------------------------

    def setup(self) -> None:
        if self.mapping.kind == "dynamodb" and self._position not in ("TRIM_HORIZON", "LATEST"):
            raise MappingError(
                f"{self.address}: DynamoDB streams start at TRIM_HORIZON or LATEST, not {self._position}"
            )
        self._discover(self._position)

    def _discover(self, position: str) -> None:
        cursors = self.cursors
        for info in self.reader.shards():
            known = cursors.get(info.shard_id)
            if known is not None:
                known.info.closed = info.closed
                continue
            cursor = Cursor(info)
            cursor.iterator = self._iterator_at(info.shard_id, position)
            cursors[info.shard_id] = cursor
        self._refreshed = time.monotonic()

    def _refresh_shards(self) -> None:
        """Pick up shards created since setup (resharding) from their start; never while a reset runs."""
        with self._setup_lock:
            if self.ready:
                self._discover("TRIM_HORIZON")

    def _iterator_at(self, shard_id: str, position: str, after: str | None = None) -> str:
        if after is not None:
            return self.reader.iterator(shard_id, "AFTER_SEQUENCE_NUMBER", sequence=after)
        timestamp = self.mapping.starting_timestamp if position == "AT_TIMESTAMP" else None
        return self.reader.iterator(shard_id, position, timestamp=timestamp)

    def reset(self) -> None:
        """Forget progress and resume from the newest record of every shard (records up to now are skipped).

        Race-free without waiting for the poller: the fresh cursors are swapped in *before* the
        generation moves, and no lock the poller may hold is taken. A thread still delivering from an
        old cursor sees the new generation at its next check, drops that work and, on its next pass,
        can only find the fresh cursors.
        """
        with self._setup_lock:  # never held across a delivery; it orders us against a shard refresh
            self._position = "LATEST"
            self.cursors = {}
            self.ready = False
        super().reset()
        self.try_setup()

    # polling ----------------------------------------------------------------------------------------

    def poll_once(self) -> None:
        generation = self._generation
        if time.monotonic() - self._refreshed > SHARD_REFRESH_SECONDS:
            self._refresh_shards()
        progressed = False
        for shard_id, cursor in list(self.cursors.items()):
            if self.stopping:
                return
            if cursor.done or not self._parent_done(cursor):
                continue
            with cursor.lock:
                if self.cursors.get(shard_id) is not cursor or generation != self._generation:
                    continue
                progressed = self._pump(cursor, generation) or progressed
        if progressed:
            self._idle_delay = IDLE_BACKOFF[0]
        else:
            self.sleep(self._idle_delay)
            self._idle_delay = min(self._idle_delay * 2, IDLE_BACKOFF[1])

    def _parent_done(self, cursor: Cursor) -> bool:
        parent = self.cursors.get(cursor.info.parent_id or "")
        return parent is None or parent.done

    def _read(self, cursor: Cursor, limit: int) -> tuple[list[dict], str | None]:
        try:
            return self.reader.read(cursor.iterator or "", limit)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _EXPIRED:
                raise
        cursor.iterator = self._iterator_at(cursor.info.shard_id, "TRIM_HORIZON", after=cursor.checkpoint)
        return self.reader.read(cursor.iterator, limit)

    def _pump(self, cursor: Cursor, generation: int) -> bool:
        """Process one batch from this shard; False when there was nothing new."""
        batch_size = self.mapping.batch_size
        raw, next_iterator = self._read(cursor, batch_size)
        if not raw:
            if next_iterator is None:
                cursor.done = True
            return False
        with self.activity.working():
            deadline = time.monotonic() + self.mapping.window_seconds
            while len(raw) < batch_size and next_iterator and not self.stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                more, following = self.reader.read(next_iterator, batch_size - len(raw))
                if more:
                    raw.extend(more)
                    next_iterator = following
                else:
                    self.sleep(min(remaining, 0.05))
            shard_id = cursor.info.shard_id
            records = [self.reader.to_lambda(r, shard_id) for r in raw]
            matched = [r for r in records if self.mapping.filters.match(self.view(r))]
            if len(matched) < len(records):
                self.events.record(
                    self.channel,
                    "filtered",
                    self.name,
                    {"sequenceNumbers": [self.reader.sequence(r) for r in records if r not in matched]},
                    source=self.address,
                    function=self.mapping.function.address,
                    shard=shard_id,
                )
            if matched:
                self._deliver(shard_id, matched, generation)
            cursor.checkpoint = self.reader.sequence(records[-1])
            cursor.iterator = next_iterator
            cursor.done = next_iterator is None
        return True

    # delivery ---------------------------------------------------------------------------------------

    def _deliver(self, shard_id: str, records: list[dict], generation: int) -> None:
        """Deliver until success, or discard to the on-failure destination; raises Stopped on stop/reset."""
        fn = self.mapping.function
        pending = records
        attempts = 0
        last: InvokeResult | None = None
        while pending:
            self.check_live(generation)
            expired, pending = self._split_expired(pending)
            if expired:
                self._discard(shard_id, expired, attempts, "RecordAgeExceeded", last)
            if not pending:
                return
            event = {"Records": pending}
            last = self.invoke_until_accepted(self.invoke, fn.arn, event, generation)
            attempts += 1
            sequences = [self.reader.sequence(r) for r in pending]
            failed = failed_items(last, sequences, self.mapping.report_failures)
            self.events.record(
                self.channel,
                "delivery",
                self.name,
                event,
                source=self.address,
                function=fn.address,
                shard=shard_id,
                request_id=last.request_id,
                outcome="ok" if failed == set() else "error" if failed is ALL_FAILED else "partial",
                attempt=attempts,
                failed=sorted(failed or []) if failed is not ALL_FAILED else sequences,
                error=error_summary(last),
            )
            if failed == set():
                return
            if failed is ALL_FAILED:
                if self.mapping.bisect and len(pending) > 1:
                    half = len(pending) // 2
                    self._deliver(shard_id, pending[:half], generation)
                    self._deliver(shard_id, pending[half:], generation)
                    return
            else:
                pending = pending[min(sequences.index(s) for s in failed) :]
            if 0 <= self.mapping.max_retries < attempts:
                self._discard(shard_id, pending, attempts, "RetryAttemptsExhausted", last)
                return
            low, high = RETRY_BACKOFF
            self.sleep(min(low * 2 ** (attempts - 1), high))

    def _split_expired(self, records: list[dict]) -> tuple[list[dict], list[dict]]:
        limit = self.mapping.max_record_age
        if limit < 0:
            return [], records
        now = time.time()
        cut = 0
        while cut < len(records) and now - self.reader.arrival(records[cut]) > limit:
            cut += 1
        return records[:cut], records[cut:]

    def _discard(
        self, shard_id: str, records: list[dict], attempts: int, condition: str, result: InvokeResult | None
    ) -> None:
        fn = self.mapping.function
        first, last = records[0], records[-1]
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if result is not None and result.error is not None:
            response["functionError"] = "Unhandled"
        payload = {
            "requestContext": {
                "requestId": (result.request_id if result else "") or str(uuid.uuid4()),
                "functionArn": fn.arn,
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": response,
            "version": "1.0",
            "timestamp": iso(time.time()),
            self.reader.batch_info_key: {
                "shardId": shard_id,
                "startSequenceNumber": self.reader.sequence(first),
                "endSequenceNumber": self.reader.sequence(last),
                "approximateArrivalOfFirstRecord": iso(self.reader.arrival(first)),
                "approximateArrivalOfLastRecord": iso(self.reader.arrival(last)),
                "batchSize": len(records),
                "streamArn": self.mapping.source_arn,
            },
        }
        destination = self.mapping.on_failure
        if destination:
            self.destinations.send(
                destination,
                payload,
                channel=self.channel,
                kind="on-failure",
                source=self.address,
                function=fn.address,
                shard=shard_id,
            )
        else:
            self.events.record(
                self.channel,
                "discarded",
                self.name,
                payload,
                source=self.address,
                function=fn.address,
                shard=shard_id,
                note="no OnFailure destination: the records were skipped",
            )

    # idle -------------------------------------------------------------------------------------------

    def quiet(self) -> bool:
        """No shard has a record past its checkpoint (probed with the poller's own iterator)."""
        if not self.ready:
            return True
        for cursor in list(self.cursors.values()):
            if cursor.done:
                continue
            if not cursor.lock.acquire(blocking=False):
                return False
            try:
                if cursor.iterator is None:
                    return False
                records, _ = self._read(cursor, 1)
            finally:
                cursor.lock.release()
            if records:
                self.wake()
                return False
        return True
