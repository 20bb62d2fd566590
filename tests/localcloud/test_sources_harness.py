"""Shared fixtures for the event source tests (no tests here): a real moto server, fake functions,
and Deployment builders. Each test names its resources uniquely, so one server serves a whole module."""

from __future__ import annotations

import copy
import json
import os
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from localcloud import moto_patches
from localcloud.model import ACCOUNT_ID, Deployment, EventLog, FunctionSpec, InvokeResult, Resource, Throttled
from localcloud.sources import Sources

REGION = "us-east-1"
for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}.items():
    os.environ.setdefault(_key, _value)


@pytest.fixture(scope="module")
def moto_url():
    moto_patches.apply()  # the same moto semantics the runtime serves (FIFO redelivery order, atomic writes)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def client_factory(url: str):
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}, read_timeout=10)

    def aws(service: str):
        return boto3.client(
            service,
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )

    return aws


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class FunctionFailed(Exception):
    """Raised by a fake handler to make the invocation fail like an unhandled Lambda error."""


class FakeFunctions:
    """The `invoke` callable: handlers by function name, every call recorded (copied) in order."""

    def __init__(self):
        self.handlers: dict[str, object] = {}
        self.specs: dict[str, FunctionSpec] = {}
        self.calls: list[tuple[str, dict, float]] = []
        self._lock = threading.Lock()

    def add(self, name: str, handler=None, timeout: int = 3) -> FunctionSpec:
        arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"
        spec = FunctionSpec(
            address=name, name=name, arn=arn, handler="app.handler", runtime="python3.13",
            code_dir=Path("."), timeout=timeout,
        )  # fmt: skip
        self.handlers[arn] = handler or (lambda event: None)
        self.specs[arn] = spec
        return spec

    def __call__(self, arn: str, event: dict) -> InvokeResult:
        handler = self.handlers[arn]
        request_id = str(uuid.uuid4())
        with self._lock:
            self.calls.append((arn, copy.deepcopy(event), time.time()))
        try:
            payload = handler(event)
        except Throttled:
            raise
        except Exception as exc:
            return InvokeResult(
                request_id=request_id,
                error={"errorType": type(exc).__name__, "errorMessage": str(exc), "stackTrace": []},
            )
        return InvokeResult(request_id=request_id, payload=payload)

    def events_for(self, name: str) -> list[dict]:
        with self._lock:
            return [event for arn, event, _ in self.calls if arn.endswith(f":function:{name}")]

    def records_for(self, name: str) -> list[dict]:
        return [record for event in self.events_for(name) for record in event["Records"]]


def resource(logical_id: str, type_: str, properties: dict, ref: str = "", **attrs) -> Resource:
    return Resource(stack="", logical_id=logical_id, type=type_, properties=properties, ref=ref, attrs=attrs)


def deployment(url: str, functions: FakeFunctions, resources: list[Resource]) -> Deployment:
    return Deployment(
        region=REGION, account_id=ACCOUNT_ID, aws_endpoint=url, resources=resources,
        functions=dict(functions.specs),
    )  # fmt: skip


def mapping(logical_id: str, source_arn: str, function: str, **props) -> Resource:
    return resource(
        logical_id, "AWS::Lambda::EventSourceMapping", {"EventSourceArn": source_arn, "FunctionName": function, **props}
    )


def make_queue(aws, name: str, **attributes) -> tuple[str, str]:
    sqs = aws("sqs")
    attrs = {k: v if isinstance(v, str) else json.dumps(v) for k, v in attributes.items()}
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def drain(aws, url: str) -> list[dict]:
    sqs = aws("sqs")
    found = []
    while True:
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if not got:
            return found
        found.extend(got)
        for message in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def wait_for(condition, timeout: float = 10.0, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@contextmanager
def running(url: str, functions: FakeFunctions, resources: list[Resource], **options):
    events = EventLog()
    aws = client_factory(url)
    sources = Sources(deployment(url, functions, resources), functions, aws, events, **options)
    sources.start()
    try:
        yield sources, events
    finally:
        sources.stop()


def logged(events: EventLog, kind: str, **match) -> list[dict]:
    return [e for e in events.entries() if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]
