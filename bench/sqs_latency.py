"""SQS send → handler invoked latency through localcloud's Sources, with an idle poller between messages.

Prints p50/p90/max in milliseconds. Usage: python bench/sqs_latency.py [messages] [gap_seconds]
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from localcloud.model import ACCOUNT_ID, Deployment, EventLog, FunctionSpec, InvokeResult, Resource
from localcloud.sources import Sources

REGION = "us-east-1"


def main(count: int = 200, gap: float = 0.05) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"

    def aws(service: str):
        return boto3.client(service, endpoint_url=url, region_name=REGION, config=Config(retries={"max_attempts": 2}))

    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName="bench-latency")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:Bench"
    spec = FunctionSpec(address="Bench", name="Bench", arn=arn, handler="h.h", runtime="python3.13", code_dir=Path("."))
    esm = Resource("", "Map", "AWS::Lambda::EventSourceMapping", {"EventSourceArn": queue_arn, "FunctionName": arn})
    deployment = Deployment(REGION, ACCOUNT_ID, url, resources=[esm], functions={arn: spec})

    latencies: list[float] = []
    arrived = threading.Event()

    def invoke(function_arn: str, event: dict) -> InvokeResult:
        now = time.perf_counter()
        latencies.extend(now - float(r["body"]) for r in event["Records"])
        arrived.set()
        return InvokeResult(request_id=str(uuid.uuid4()))

    sources = Sources(deployment, invoke, aws, EventLog())
    sources.start()
    try:
        time.sleep(0.5)
        for _ in range(count):
            arrived.clear()
            sqs.send_message(QueueUrl=queue_url, MessageBody=repr(time.perf_counter()))
            arrived.wait(5)
            time.sleep(gap)
    finally:
        sources.stop()
        server.stop()

    ms = sorted(x * 1000 for x in latencies)
    quantiles = statistics.quantiles(ms, n=10)
    print(f"messages {len(ms)}  p50 {statistics.median(ms):.1f} ms  p90 {quantiles[8]:.1f} ms  max {ms[-1]:.1f} ms")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 200, float(args[1]) if len(args) > 1 else 0.05)
