"""`Sources`: every event source of a deployment, polled with Lambda's semantics.

Builds one poller per enabled EventSourceMapping (SQS, DynamoDB stream, Kinesis), one per S3/SNS
→ Lambda route (hidden queues) and one per Firehose delivery stream to S3, runs them as daemon threads,
and answers `wait_idle` for tests. A mapping that cannot run is reported in the event log under its
address; the others run regardless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from localcloud.firehose.config import DeliveryConfig, DeliveryConfigError, destination_of
from localcloud.model import Deployment, EventLog, FunctionNotFound, FunctionSpec, InvokeResult
from localcloud.sources.async_queue import AWS_RETRY_DELAYS, DEFAULT_TIME_SCALE, AsyncPoller
from localcloud.sources.config import AsyncConfig, MappingConfig, MappingError, is_enabled, source_kind
from localcloud.sources.destinations import Destinations
from localcloud.sources.fanin import FanIn, Route, create_hidden_queue, hidden_queue_name
from localcloud.sources.firehose import FirehosePoller
from localcloud.sources.idle import Activity, wait_quiet
from localcloud.sources.poller import Poller
from localcloud.sources.sqs import SqsPoller
from localcloud.sources.streams import StreamPoller

log = logging.getLogger("localcloud.sources")

STOP_TIMEOUT = 30.0
INVOKE_CHANNEL = "lambda"  # the channel of Invoke's Event invocations and of Lambda destinations
STOP_GRACE = 0.02
# What appends to a stream, as the event log names it: moto's stream records (channel dynamodb, the
# table) and the front's PutRecord/PutRecords (channel kinesis, the stream).
APPENDS = {"dynamodb": {"INSERT", "MODIFY", "REMOVE"}, "kinesis": {"PutRecord", "PutRecords"}}


def wake_readers(pollers: list[Poller], entry: dict) -> None:
    """Wake the stream pollers of the table or stream an entry just appended to.

    An idle stream poller backs off up to half a second between reads; Lambda's pollers see a new
    record within about 200 ms (its documented p50 for DynamoDB Streams). Waking on the append makes a
    local stream → function hop cost one read, not a back-off, and costs nothing while nothing is written.
    """
    if entry.get("kind") not in APPENDS.get(entry.get("channel", ""), ()):
        return
    for poller in pollers:
        if isinstance(poller, StreamPoller) and poller.channel == entry["channel"] and poller.name == entry["name"]:
            poller.wake()


class Sources:
    def __init__(
        self,
        deployment: Deployment,
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        events: EventLog,
        *,
        async_time_scale: float = DEFAULT_TIME_SCALE,
        async_retry_delays: tuple[int, ...] | None = None,
    ):
        """Asynchronous invocations run on `async_time_scale` (1 is AWS's timing): the retries wait
        1 and 2 minutes times the scale (unless `async_retry_delays` gives them in seconds) and an event
        expires after its MaximumEventAgeInSeconds times the scale."""
        self.deployment = deployment
        self.invoke = invoke
        self.aws = aws
        self.events = events
        self.async_time_scale = async_time_scale
        self.async_retry_delays = async_retry_delays or tuple(round(d * async_time_scale) for d in AWS_RETRY_DELAYS)
        self.activity = Activity()
        self.destinations = Destinations(
            aws, events, lambda arn, payload: self.invoke_async(INVOKE_CHANNEL, arn, payload)
        )
        self.pollers: list[Poller] = []
        events.subscribe(lambda entry: wake_readers(self.pollers, entry))
        self._lock = threading.RLock()
        self._started = False
        self._built = False

    # lifecycle --------------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Wire S3/SNS fan-in (its hidden queues and notifications) and build the pollers, once.

        Separate from `start` so saved messages can be put back into the hidden queues before any
        poller runs."""
        with self._lock:
            if not self._built:
                self.pollers = (
                    self._mapping_pollers()
                    + [self._async_poller(r) for r in FanIn(self.deployment, self.aws, self.events).wire()]
                    + self._firehose_pollers()
                )
                self._built = True

    def start(self) -> None:
        """Prepare (first time only), resolve every source, then start the poller threads.

        Pollers keep their progress across stop/start: a stream resumes after its last record.
        """
        self.prepare()
        with self._lock:
            if self._started:
                return
            for poller in self.pollers:
                poller.try_setup()
            for poller in self.pollers:
                poller.start()
            self._started = True

    def stop(self) -> None:
        """Stop polling and wait for running invocations; no new invocation starts until `start`.

        Threads still parked in an SQS long-poll (at most about a second) finish it in the background
        and hand back whatever they received.
        """
        with self._lock:
            self._started = False
            pollers = list(self.pollers)
        for poller in pollers:
            poller.stop()
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.activity.state()[0] and time.monotonic() < deadline:
            time.sleep(0.005)
        for poller in pollers:
            poller.join(STOP_GRACE)

    def shutdown(self) -> None:
        """Stop, then deliver what the Firehose streams still hold (their sources are not kept)."""
        self.stop()
        for poller in list(self.pollers):
            if isinstance(poller, FirehosePoller):
                try:
                    poller.drain()
                except Exception as exc:
                    poller.report_error(exc, "delivery at shutdown failed")

    def wait_idle(self, timeout: float) -> bool:
        """True once no queue, stream or invocation has pending work, stable across two checks."""
        return wait_quiet(self.activity, lambda: [self._quiet_check(p) for p in list(self.pollers)], timeout)

    def reset(self) -> None:
        """After a data wipe: drop in-memory progress, skip stream records up to now, purge hidden queues."""
        with self._lock:
            for poller in self.pollers:
                try:
                    poller.reset()
                except Exception as exc:
                    poller.report_error(exc, "reset failed")
            if not self._built:
                return
            polled = {p.queue.name for p in self.pollers if isinstance(p, AsyncPoller)}
            for route in FanIn(self.deployment, self.aws, self.events).wire():
                if route.queue_name not in polled:
                    poller = self._async_poller(route)
                    poller.try_setup()
                    if self._started:
                        poller.start()
                    self.pollers.append(poller)
            for poller in self.pollers:
                if isinstance(poller, AsyncPoller):
                    try:
                        poller.purge()
                    except Exception as exc:
                        poller.report_error(exc, "purge failed")

    def async_queue(self, channel: str, function: FunctionSpec) -> str:
        """The URL of a hidden queue whose poller invokes `function` asynchronously, with Lambda's async
        semantics (retries, maximum age, destinations, DLQ), made on first use and kept: the way
        EventBridge rules and schedules invoke functions. One queue per (channel, function)."""
        name = hidden_queue_name(channel, channel, function)
        with self._lock:
            for poller in self.pollers:
                if isinstance(poller, AsyncPoller) and poller.queue.name == name and poller.queue.url:
                    return poller.queue.url
            route = Route(channel, channel, function.name, function, name)
            create_hidden_queue(self.aws("sqs"), route)
            poller = self._async_poller(route)
            poller.try_setup()
            if self._started:
                poller.start()
            self.pollers.append(poller)
            return poller.queue.url

    def make_invoke_queue(self, name: str) -> bool:
        """Make the `Event`-invoke queue called `name` (made on first use, so it may not exist yet when its
        saved messages come back); False when no function of the deployment has that queue."""
        for spec in self.deployment.functions.values():
            if hidden_queue_name(INVOKE_CHANNEL, INVOKE_CHANNEL, spec) == name:
                self.async_queue(INVOKE_CHANNEL, spec)
                return True
        return False

    def invoke_async(self, channel: str, function: str, payload: str) -> str:
        """Invoke `function` (name, ARN or address) asynchronously with the JSON text `payload`: the one way
        every async invoke (Invoke with Event, EventBridge targets, Lambda destinations) reaches a function.
        Returns the message id; raises FunctionNotFound."""
        spec = self.deployment.function(function)
        if spec is None:
            raise FunctionNotFound(f"Function not found: {function}")
        sent = self.aws("sqs").send_message(QueueUrl=self.async_queue(channel, spec), MessageBody=payload)
        return str(sent["MessageId"])

    # construction -----------------------------------------------------------------------------------

    def _mapping_pollers(self) -> list[Poller]:
        pollers: list[Poller] = []
        for resource in self.deployment.of_type("AWS::Lambda::EventSourceMapping"):
            if not is_enabled(resource):
                continue
            try:
                mapping = MappingConfig.from_resource(resource, self.deployment)
                if mapping.kind == "sqs":
                    pollers.append(
                        SqsPoller(mapping, self.invoke, self.aws, self.events, self.activity, self.deployment.region)
                    )
                else:
                    pollers.append(
                        StreamPoller(
                            mapping,
                            self.invoke,
                            self.aws,
                            self.events,
                            self.activity,
                            self.destinations,
                            self.deployment.region,
                        )
                    )
            except Exception as exc:  # one broken mapping must not stop the others
                channel = source_kind(str(resource.properties.get("EventSourceArn") or "")) or "lambda"
                message = str(exc) if isinstance(exc, MappingError) else f"{resource.address}: {exc}"
                log.error("event source mapping not started: %s", message)
                self.events.record(channel, "error", resource.address, {"error": message}, source=resource.address)
        return pollers

    def _firehose_pollers(self) -> list[Poller]:
        """One per delivery stream to S3; the others were reported as not delivered at provisioning."""
        pollers: list[Poller] = []
        for resource in self.deployment.of_type("AWS::KinesisFirehose::DeliveryStream"):
            if destination_of(resource.properties) is None:
                continue
            try:
                config = DeliveryConfig.from_resource(resource)
            except DeliveryConfigError as exc:  # provisioning refused these: only a changed rule gets here
                self.events.record("firehose", "error", resource.address, {"error": str(exc)}, source=resource.address)
                continue
            processor = config.processor
            if processor is not None and self.deployment.function(processor.function_arn) is None:
                message = f"{resource.address}: the processor {processor.function_arn} is not a function here"
                log.error("%s", message)
                self.events.record("firehose", "error", config.name, {"error": message}, source=resource.address)
            pollers.append(
                FirehosePoller(
                    config,
                    self.invoke,
                    self.aws,
                    self.events,
                    self.activity,
                    self.deployment.region,
                    self.deployment.account_id,
                )
            )
        return pollers

    def _async_poller(self, route: Route) -> AsyncPoller:
        return AsyncPoller(
            route.address,
            route.channel,
            route.source_name,
            route.queue_arn,
            route.function,
            AsyncConfig.for_function(self.deployment, route.function),
            route.make_event,
            self.invoke,
            self.aws,
            self.events,
            self.activity,
            self.destinations,
            self.async_retry_delays,
            self.async_time_scale,
        )

    @staticmethod
    def _quiet_check(poller: Poller) -> Callable[[], bool]:
        def check() -> bool:
            try:
                return poller.quiet()
            except Exception as exc:
                poller.report_error(exc, "idle check failed")
                return True

        return check
