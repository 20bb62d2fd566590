"""Async latency through the full runtime: SQS SendMessage → the SQS-triggered handler is running.

localcloud runs bench/fixtures/sqs/template.yaml (queue → function, batch size 1). Each message carries
the time just before SendMessage; the handler logs the time it started. Messages go one at a time, with
a small random gap so that sends land at every phase of the poller's cycle. Prints p50/p99.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from stats import Figure, Latency, cli, latency_table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "sqs" / "template.yaml"
FUNCTION = "ConsumerFunction"
NAME = "async latency (SQS -> handler)"


def handled_times(cloud, function: str) -> dict[int, dict]:
    """The handler's {"bench_seq", "sent", "handled"} lines seen so far, by sequence number."""
    seen = {}
    for entry in cloud.logs.lines(function):
        line = entry["line"]
        start = line.find('{"bench_seq"')
        if start >= 0:
            record = json.loads(line[start : line.rindex("}") + 1])
            seen[record["bench_seq"]] = record
    return seen


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages to send, one at a time (default 200)")
    parser.add_argument("--warmup", type=int, default=5, help="unmeasured messages first")
    parser.add_argument("--max-seconds", type=float, default=90, help="stop measuring after this long")
    parser.add_argument("--gap-ms", type=float, default=20, help="random pause of up to this long between messages")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from localcloud.runtime import LocalCloud

    logging.basicConfig(level=logging.ERROR)

    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    cloud = LocalCloud(TEMPLATE, state_dir=Path(tempfile.mkdtemp(prefix="bench-async-")))
    latency, send_call = Latency(), Latency()
    try:
        cloud.start()
        sqs = cloud.aws("sqs")
        queue_name = cloud.deployment.find("", "BenchQueue").ref.rsplit("/", 1)[-1]
        queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        deadline = time.monotonic() + args.max_seconds
        for seq in range(args.warmup + args.messages):
            sent = time.time()
            sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"seq": seq, "sent": sent}))
            returned = time.time()
            wait_until = time.monotonic() + 15
            while (record := handled_times(cloud, FUNCTION).get(seq)) is None:
                if time.monotonic() > wait_until:
                    raise TimeoutError(f"message {seq} did not reach {FUNCTION} within 15 s")
                time.sleep(0.002)
            if seq >= args.warmup:
                latency.samples.append((record["handled"] - record["sent"]) * 1000)
                send_call.samples.append((returned - sent) * 1000)
            if time.monotonic() > deadline:
                print(f"time bound of {args.max_seconds:.0f} s reached after {latency.n} messages", flush=True)
                break
            time.sleep(random.uniform(0, args.gap_ms) / 1000)
    finally:
        cloud.stop()

    print(f"\n{NAME}: one message at a time, batch size 1")
    print(latency_table({"send -> handler start": latency, "of which SendMessage call": send_call}))
    return [
        Figure(NAME, "p50", latency.p50, note=f"{latency.n} messages"),
        Figure(NAME, "p99", latency.p99),
    ]


if __name__ == "__main__":
    cli(run)
