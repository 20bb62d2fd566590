"""Asynchronous invocation (S3 and SNS → Lambda) from a hidden SQS queue, with Lambda's async retries.

Each message is one event. A failed invocation is retried after a delay (the message's visibility is
set to the delay, so it counts as busy meanwhile); the SQS receive count is the attempt number. After
1 + MaximumRetryAttempts attempts (or past MaximumEventAgeInSeconds) the event goes to the function's
OnFailure destination and/or dead-letter queue, or is logged loudly as dropped. A throttled invocation
is retried without using an attempt, until the event is older than its maximum age. Up to the
function's reserved concurrency (at most 5 locally) events of one queue are invoked at once.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from localcloud.model import EventLog, FunctionSpec, InvokeResult

from .config import LOCAL_CONCURRENCY_CAP, AsyncConfig
from .destinations import Destinations
from .idle import Activity
from .poller import Poller, Stopped
from .queues import LONG_POLL_SECONDS, Queue, dedicated_client
from .shapes import iso

log = logging.getLogger("localcloud.sources")

AWS_RETRY_DELAYS = (60, 120)  # Lambda retries a failed asynchronous invocation after about 1, then 2 minutes
DEFAULT_TIME_SCALE = 1 / 60  # locally they wait 1 s and 2 s, and event ages count alike


class AsyncPoller(Poller):
    def __init__(
        self,
        address: str,
        channel: str,
        source_name: str,
        queue_arn: str,
        function: FunctionSpec,
        config: AsyncConfig,
        make_event: Callable[[dict], dict | None],
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        events: EventLog,
        activity: Activity,
        destinations: Destinations,
        retry_delays: tuple[int, ...] = (1, 2),
        time_scale: float = 1.0,
    ):
        super().__init__(address, source_name, events, activity)
        self.channel = channel
        self.function = function
        self.config = config
        self.make_event = make_event
        self.invoke = invoke
        self.destinations = destinations
        self.retry_delays = retry_delays or (0,)
        self.max_event_age = config.max_event_age * time_scale
        self.queue = Queue(dedicated_client(aws, "sqs"), queue_arn)
        reserved = function.reserved_concurrency
        parallel = LOCAL_CONCURRENCY_CAP if reserved is None else max(1, min(reserved, LOCAL_CONCURRENCY_CAP))
        self._pool = ThreadPoolExecutor(parallel, f"async-{function.name}"[:40]) if parallel > 1 else None
        self._slots = threading.BoundedSemaphore(parallel)

    def setup(self) -> None:
        self.queue.resolve()

    def quiet(self) -> bool:
        return not self.ready or not self.queue.pending()

    def purge(self) -> None:
        if self.ready:
            self.queue.purge()

    def poll_once(self) -> None:
        if self._pool is not None:
            self._dispatch_one()
            return
        messages = self.queue.receive(10, LONG_POLL_SECONDS)
        if not messages:
            return
        generation = self._generation
        with self.activity.working():
            stopped = [self._handle_or_release(message, generation) for message in messages]
        if any(stopped):
            raise Stopped

    def _dispatch_one(self) -> None:
        """Receive one event when a slot is free and invoke it on the pool, so events that arrive while
        others run are invoked at once, up to the concurrency (received but not yet started, an event is
        still in flight in its queue, so `quiet` stays false)."""
        assert self._pool is not None
        if not self._slots.acquire(timeout=LONG_POLL_SECONDS):
            return
        try:
            messages = self.queue.receive(1, LONG_POLL_SECONDS)
        except BaseException:
            self._slots.release()
            raise
        if not messages:
            self._slots.release()
            return
        # the generation after the receive, as the sequential path: what arrived during a reset is new work
        self._pool.submit(self._run_one, messages[0], self._generation)

    def _run_one(self, message: dict, generation: int) -> None:
        try:
            with self.activity.working():
                self._handle_or_release(message, generation)
        except Exception as exc:
            self.report_error(exc, "asynchronous invocation failed")
        finally:
            self._slots.release()

    def _handle_or_release(self, message: dict, generation: int) -> bool:
        """Handle one message; True when the poller was stopped or reset first (a stopping poller hands the
        message back at once)."""
        try:
            self.check_live(generation)
            self._handle(message, generation)
            return False
        except Stopped:
            if self.stopping:
                self.queue.set_visibility([message["ReceiptHandle"]], 0)
            return True

    def _handle(self, message: dict, generation: int) -> None:
        receipt = message["ReceiptHandle"]
        try:
            event = self.make_event(json.loads(message.get("Body") or ""))
        except (ValueError, KeyError, TypeError) as exc:
            self.queue.delete([receipt])
            self.report_error(exc, f"unreadable {self.channel} notification dropped: {message.get('Body')!r}")
            return
        if event is None:
            self.queue.delete([receipt])
            return
        attributes = message.get("Attributes") or {}
        attempt = int(attributes.get("ApproximateReceiveCount", "1"))
        sent = int(attributes.get("SentTimestamp", "0")) / 1000 or time.time()
        if time.time() - sent > self.max_event_age:
            self._give_up(event, None, attempt - 1, "EventAgeExceeded")
            self.queue.delete([receipt])
            return
        try:
            result = self.invoke_until_accepted(
                self.invoke, self.function.arn, event, generation, on_wait=self._while_throttled(receipt, sent)
            )
        except _Expired:  # throttled until it was too old
            self._give_up(event, None, attempt - 1, "EventAgeExceeded")
            self.queue.delete([receipt])
            return
        self.events.record(
            self.channel,
            "delivery",
            self.name,
            event,
            source=self.address,
            function=self.function.address,
            request_id=result.request_id,
            outcome="ok" if result.error is None else "error",
            attempt=attempt,
            error=result.error,
        )
        if result.error is None:
            self.queue.delete([receipt])
            if self.config.on_success:
                self.destinations.send(
                    self.config.on_success,
                    self._record(event, result, attempt, "Success"),
                    channel=self.channel,
                    kind="on-success",
                    source=self.address,
                    function=self.function.address,
                )
            return
        if attempt >= 1 + self.config.max_retries:
            self._give_up(event, result, attempt, "RetriesExhausted")
            self.queue.delete([receipt])
            return
        delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
        self.queue.set_visibility([receipt], int(delay))

    def _while_throttled(self, receipt: str, sent: float) -> Callable[[float], None]:
        """Keep the message invisible while its invocation waits for concurrency, until it is too old."""
        extended_at = [0.0]

        def extend(waited: float) -> None:
            if time.time() - sent > self.max_event_age:
                raise _Expired
            if waited - extended_at[0] >= self.queue.visibility_timeout / 2:
                self.queue.set_visibility([receipt], self.queue.visibility_timeout)
                extended_at[0] = waited

        return extend

    def _record(self, event: dict, result: InvokeResult | None, attempts: int, condition: str) -> dict:
        """Lambda's asynchronous invocation record (what destinations receive)."""
        response: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if result is not None and result.error is not None:
            response["functionError"] = "Unhandled"
        return {
            "version": "1.0",
            "timestamp": iso(time.time()),
            "requestContext": {
                "requestId": result.request_id if result else "",
                "functionArn": f"{self.function.arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": response,
            "responsePayload": (result.error if result.error is not None else result.payload) if result else None,
        }

    def _give_up(self, event: dict, result: InvokeResult | None, attempts: int, condition: str) -> None:
        fn = self.function
        targets = 0
        if self.config.on_failure:
            targets += 1
            self.destinations.send(
                self.config.on_failure,
                self._record(event, result, attempts, condition),
                channel=self.channel,
                kind="on-failure",
                source=self.address,
                function=fn.address,
            )
        if self.config.dead_letter:
            targets += 1
            error = (result.error if result else None) or {"errorMessage": condition}
            self.destinations.send(
                self.config.dead_letter,
                event,
                channel=self.channel,
                kind="dead-letter",
                attributes={
                    "RequestID": result.request_id if result else "",
                    "ErrorCode": "200",
                    "ErrorMessage": str(error.get("errorMessage") or condition)[:256],
                },
                source=self.address,
                function=fn.address,
            )
        if not targets:
            log.error(
                "%s: %s gave up on an event (%s) and has no DLQ or OnFailure destination",
                self.address,
                fn.address,
                condition,
            )
            self.events.record(
                self.channel,
                "dropped",
                self.name,
                event,
                source=self.address,
                function=fn.address,
                condition=condition,
                attempts=attempts,
                error=result.error if result else None,
                note=f"{fn.address} failed {attempts} time(s); no DeadLetterConfig or OnFailure destination: DROPPED",
            )


class _Expired(Exception):
    """The event waited for concurrency past its maximum age."""
