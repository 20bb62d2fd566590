"""SQS event source mappings with Lambda's semantics.

Batch size and batching window, the queue's own visibility timeout, deletion of successes only,
ReportBatchItemFailures, FIFO order per message group, filtering (non-matching messages are deleted),
and redrive: moto itself moves a message to the DLQ when it is received again after reaching
maxReceiveCount, exactly when AWS does; the poller records that hand-over in the event log.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from localcloud.model import EventLog, InvokeResult

from .config import MappingConfig, arn_name
from .filters import sqs_view
from .idle import Activity
from .outcome import ALL_FAILED, error_summary, failed_items
from .poller import Poller, Stopped
from .queues import LONG_POLL_SECONDS, Queue, dedicated_client
from .shapes import sqs_record


class SqsPoller(Poller):
    channel = "sqs"

    def __init__(
        self,
        mapping: MappingConfig,
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        events: EventLog,
        activity: Activity,
        region: str,
    ):
        super().__init__(mapping.address, arn_name(mapping.source_arn), events, activity, mapping.concurrency)
        self.mapping = mapping
        self.invoke = invoke
        self.region = region
        self.queue = Queue(dedicated_client(aws, "sqs"), mapping.source_arn)

    def setup(self) -> None:
        self.queue.resolve()

    def quiet(self) -> bool:
        return not self.ready or not self.queue.pending()

    def poll_once(self) -> None:
        first = self.queue.receive(self.mapping.batch_size, LONG_POLL_SECONDS)
        if not first:
            return
        generation = self._generation
        with self.activity.working():
            batch = first + self._fill_window(len(first))
            try:
                self._deliver(batch, generation)
            except Stopped:
                if self.stopping:
                    self.queue.set_visibility([m["ReceiptHandle"] for m in batch], 0)

    def _fill_window(self, have: int) -> list[dict]:
        """Keep receiving until the batch is full or MaximumBatchingWindowInSeconds has passed."""
        window = self.mapping.window_seconds
        more: list[dict] = []
        deadline = time.monotonic() + window
        while window > 0 and have + len(more) < self.mapping.batch_size and not self.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            wait = LONG_POLL_SECONDS if remaining >= LONG_POLL_SECONDS else 0
            got = self.queue.receive(self.mapping.batch_size - have - len(more), wait)
            more.extend(got)
            if not got and not wait:
                self.sleep(min(remaining, 0.05))
        return more

    def _deliver(self, messages: list[dict], generation: int) -> None:
        fn = self.mapping.function
        records = [sqs_record(m, self.queue.arn, self.region) for m in messages]
        if self.mapping.filters:
            matched = [r for r in records if self.mapping.filters.match(sqs_view(r))]
            skipped = [r for r in records if r not in matched]
            if skipped:
                self.queue.delete([r["receiptHandle"] for r in skipped])
                self.events.record(
                    "sqs",
                    "filtered",
                    self.name,
                    {"messageIds": [r["messageId"] for r in skipped]},
                    source=self.address,
                    function=fn.address,
                )
            records = matched
        if not records:
            return
        event = {"Records": records}
        result = self.invoke_until_accepted(
            self.invoke, fn.arn, event, generation, on_wait=self._keep_invisible([r["receiptHandle"] for r in records])
        )
        ids = [r["messageId"] for r in records]
        failed = failed_items(result, ids, self.mapping.report_failures)
        malformed = failed is ALL_FAILED and result.error is None
        failed = set(ids) if failed is ALL_FAILED else failed
        if self.queue.fifo and failed:
            failed |= _later_in_failed_groups(records, failed)
        self.queue.delete([r["receiptHandle"] for r in records if r["messageId"] not in failed])
        outcome = "ok" if not failed else "error" if len(failed) == len(ids) else "partial"
        self.events.record(
            "sqs",
            "delivery",
            self.name,
            event,
            source=self.address,
            function=fn.address,
            outcome=outcome,
            request_id=result.request_id,
            failed=sorted(failed),
            error=error_summary(result),
            **({"note": "malformed batchItemFailures response: whole batch failed"} if malformed else {}),
        )
        self._note_dead_letters([r for r in records if r["messageId"] in failed])

    def _keep_invisible(self, receipts: list[str]) -> Callable[[float], None]:
        """While throttled, extend the batch's visibility so it is not redelivered behind our back."""
        extended_at = [0.0]

        def extend(waited: float) -> None:
            if waited - extended_at[0] >= self.queue.visibility_timeout / 2:
                self.queue.set_visibility(receipts, self.queue.visibility_timeout)
                extended_at[0] = waited

        return extend

    def _note_dead_letters(self, failed: list[dict]) -> None:
        limit = self.queue.max_receive_count
        if not limit or not self.queue.dead_letter_arn:
            return
        for record in failed:
            count = int(record["attributes"].get("ApproximateReceiveCount", "1"))
            if count >= limit:
                self.events.record(
                    "sqs",
                    "dead-letter",
                    arn_name(self.queue.dead_letter_arn),
                    record["body"],
                    source=self.address,
                    function=self.mapping.function.address,
                    queue=self.name,
                    messageId=record["messageId"],
                    receiveCount=count,
                    note="moved to the DLQ when its visibility timeout ends",
                )


def _later_in_failed_groups(records: list[dict], failed: set[str]) -> set[str]:
    """FIFO: a message after a failed one in the same group must wait for it, so it is retried too."""
    first_failure: dict[str, int] = {}
    for index, record in enumerate(records):
        group = record["attributes"].get("MessageGroupId", "")
        if record["messageId"] in failed and group not in first_failure:
            first_failure[group] = index
    return {
        r["messageId"]
        for i, r in enumerate(records)
        if r["attributes"].get("MessageGroupId", "") in first_failure
        and i > first_failure[r["attributes"].get("MessageGroupId", "")]
    }
