"""AWS calls through localcloud's endpoint vs moto in-process vs a canned-reply floor, in one run.

Sides, each driven by its own boto3 clients in this process (the client's cost is in every figure):
- endpoint: a `python -m localcloud up` child on bench/fixtures/aws/template.yaml (a table, two queues,
  a topic and a bucket), admin credentials, as functions and tests call it;
- in-process: stock moto under `mock_aws` in this process, with the same resources and data (each call
  inside `moto_patches.stock()`, so none of localcloud's speed patches: the reference the goals are set
  against);
- patched: the same, on resources of its own, with localcloud's speed patches on. The endpoint over this
  is what the HTTP layer and the front cost, moto's work being equal;
- canned: bench/canned_aws.py, a child on the endpoint's own serving stack that replays one recorded
  response per operation, so it measures boto3 + HTTP + server and no AWS logic.

For each operation the sides are called back to back, in an order that rotates every round, after a
warm-up. Prints p50/p99 per side and the ratios endpoint/in-process, endpoint/patched and
endpoint/canned, then a Query page of 20 items from a partition of 20 and from one of 10 000 (every
side; the canned one replays one recorded page for both) and their ratio.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import localcloud_up
import processes
from stats import Figure, Latency, cli, table

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
TEMPLATE = BENCH / "fixtures" / "aws" / "template.yaml"
NAME = "aws endpoint"
SIDES = ("endpoint", "in-process", "patched", "canned")
OPERATIONS = ("GetItem", "PutItem", "SendMessage", "ReceiveMessage", "Publish", "PutObject", "GetObject")
BIG_PARTITION = 10_000
PAGE = 20
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def item(pk: str, sk: int) -> dict:
    """A to-do as the todos service stores it (services/todos/src/todos/dal/dynamo.py), in wire form."""
    return {
        "pk": {"S": pk},
        "sk": {"S": f"{sk:06d}"},
        "title": {"S": f"Task number {sk} with a plausible title"},
        "notes": {"S": "Some notes " * 5},
        "due": {"S": "2026-12-24"},
        "done": {"BOOL": sk % 3 == 0},
        "createdAt": {"S": "2026-11-23T10:00:00Z"},
        "updatedAt": {"S": "2026-11-23T10:05:00Z"},
        "version": {"N": str(sk % 7 + 1)},
    }


class Side:
    """One side's clients and resource names, and the calls the bench times."""

    def __init__(self, clients: Callable[[str], object], names: dict[str, str], stock: bool = False):
        self.ddb, self.sqs, self.sns, self.s3 = (clients(s) for s in ("dynamodb", "sqs", "sns", "s3"))
        self.table, self.topic, self.bucket = names["TableName"], names["TopicArn"], names["BucketName"]
        self.send_queue, self.receive_queue = names["SendQueueUrl"], names["ReceiveQueueUrl"]
        self.calls: dict[str, Callable[[], object]] = {
            "GetItem": lambda: self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "one"}, "sk": {"S": "000001"}}),
            "PutItem": lambda: self.ddb.put_item(TableName=self.table, Item=item("one", 2)),
            "SendMessage": lambda: self.sqs.send_message(QueueUrl=self.send_queue, MessageBody='{"hello": "world"}'),
            "ReceiveMessage": lambda: self._receive(),
            "Publish": lambda: self.sns.publish(TopicArn=self.topic, Message='{"hello": "world"}'),
            "PutObject": lambda: self.s3.put_object(Bucket=self.bucket, Key="object", Body=b"x" * 1024),
            "GetObject": lambda: self.s3.get_object(Bucket=self.bucket, Key="object")["Body"].read(),
            "Query 20 of 20": lambda: self._query("small"),
            f"Query 20 of {BIG_PARTITION}": lambda: self._query("big"),
        }
        if stock:
            from localcloud.moto_patches import stock as stock_moto

            def unpatched(call: Callable[[], object]) -> Callable[[], object]:
                def run() -> object:
                    with stock_moto():
                        return call()

                return run

            self.calls = {name: unpatched(call) for name, call in self.calls.items()}

    def _receive(self) -> None:
        messages = self.sqs.receive_message(QueueUrl=self.receive_queue, VisibilityTimeout=0).get("Messages")
        if not messages:
            raise RuntimeError("ReceiveMessage got no message")

    def _query(self, partition: str) -> None:
        page = self.ddb.query(
            TableName=self.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": partition}},
            Limit=PAGE,
        )
        if page["Count"] != PAGE:
            raise RuntimeError(f"Query page of {page['Count']} items, expected {PAGE}")

    def fill(self, big: bool) -> None:
        self.ddb.put_item(TableName=self.table, Item=item("one", 1))
        self.s3.put_object(Bucket=self.bucket, Key="object", Body=b"x" * 1024)
        for i in range(10):
            self.sqs.send_message(QueueUrl=self.receive_queue, MessageBody=f'{{"message": {i}}}')
        rows = [item("small", i) for i in range(PAGE)] + ([item("big", i) for i in range(BIG_PARTITION)] if big else [])
        for start in range(0, len(rows), 25):
            batch = [{"PutRequest": {"Item": row}} for row in rows[start : start + 25]]
            self.ddb.batch_write_item(RequestItems={self.table: batch})


def _remote_clients(url: str) -> Callable[[str], object]:
    import boto3
    from moto.core.models import botocore_stubber

    def make(service: str) -> object:
        client = boto3.session.Session().client(service, endpoint_url=url, **CREDENTIALS)
        client.meta.events.unregister("before-send", botocore_stubber)  # mock_aws must not look at these calls
        return client

    return make


def _in_process_sides() -> tuple[Side, Side, object]:
    """(stock, patched): two sets of the same resources in one `mock_aws`, one used inside `stock()`."""
    import boto3
    from moto import mock_aws

    from localcloud import moto_patches

    moto_patches.apply()
    mock = mock_aws()
    mock.start()
    session = boto3.session.Session()

    def make(service: str) -> object:
        return session.client(service, **CREDENTIALS)

    ddb, sqs, sns, s3 = (make(s) for s in ("dynamodb", "sqs", "sns", "s3"))
    sides = []
    for suffix, stock in (("", True), ("-patched", False)):
        ddb.create_table(
            TableName=f"bench{suffix}",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        )
        s3.create_bucket(Bucket=f"bench-bucket{suffix}")
        names = {
            "TableName": f"bench{suffix}",
            "TopicArn": sns.create_topic(Name=f"bench{suffix}")["TopicArn"],
            "BucketName": f"bench-bucket{suffix}",
            "SendQueueUrl": sqs.create_queue(QueueName=f"send{suffix}")["QueueUrl"],
            "ReceiveQueueUrl": sqs.create_queue(QueueName=f"receive{suffix}")["QueueUrl"],
        }
        sides.append(Side(make, names, stock=stock))
    return sides[0], sides[1], mock


def _start_canned(upstream: str, log: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "canned_aws.py"), "--upstream", upstream],
        stdout=subprocess.PIPE,
        stderr=log.open("wb"),
        text=True,
        start_new_session=True,
    )
    processes._children.append(proc)
    url = proc.stdout.readline().strip()
    if not url.startswith("http://"):
        raise RuntimeError(f"canned server did not start: {processes.log_tail(log)}")
    return proc, url


def measure(sides: dict[str, Side], operation: str, requests: int, warmup: int, deadline: float) -> dict[str, Latency]:
    for side in sides.values():
        for _ in range(warmup):
            side.calls[operation]()
    results = {name: Latency() for name in sides}
    order = list(sides)
    for i in range(requests):
        shift = i % len(order)
        for name in order[shift:] + order[:shift]:
            call = sides[name].calls[operation]
            start = time.perf_counter_ns()
            call()
            results[name].samples.append((time.perf_counter_ns() - start) / 1e6)
        if time.monotonic() > deadline:
            print(f"  {operation}: time bound reached after {i + 1} rounds", flush=True)
            break
    return results


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="measured calls per operation and side")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured calls per operation and side first")
    parser.add_argument("--query-requests", type=int, default=200, help="measured Query pages per partition and side")
    parser.add_argument("--max-seconds", type=float, default=90, help="time bound for each operation")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="bench-aws-"))
    lc = localcloud_up.start(work / "state", work / "localcloud.log", template=TEMPLATE)
    canned_proc = None
    mock = None
    try:
        names = lc.endpoints["outputs"]["Root"]
        canned_proc, canned_url = _start_canned(lc.endpoints["aws"], work / "canned.log")
        endpoint = Side(_remote_clients(lc.endpoints["aws"]), names)
        endpoint.fill(big=True)
        canned = Side(_remote_clients(canned_url), names)
        in_process, patched, mock = _in_process_sides()
        in_process.fill(big=True)
        patched.fill(big=True)
        sides = {"endpoint": endpoint, "in-process": in_process, "patched": patched, "canned": canned}
        results: dict[str, dict[str, Latency]] = {}
        for operation in OPERATIONS:
            print(f"  measuring {operation}", flush=True)
            results[operation] = measure(
                sides, operation, args.requests, args.warmup, time.monotonic() + args.max_seconds
            )
        queries = {}
        for operation in ("Query 20 of 20", f"Query 20 of {BIG_PARTITION}"):
            print(f"  measuring {operation}", flush=True)
            deadline = time.monotonic() + args.max_seconds
            queries[operation] = measure(sides, operation, args.query_requests, max(5, args.warmup // 10), deadline)
    finally:
        if mock is not None:
            mock.stop()
        if canned_proc is not None:
            processes.stop(canned_proc)
        lc.stop()
    return report(results, queries)


def report(results: dict[str, dict[str, Latency]], queries: dict[str, dict[str, Latency]]) -> list[Figure]:
    rows, figures = [], []
    for operation, by_side in results.items():
        e, i, m, c = (by_side[s] for s in SIDES)
        rows.append(
            [operation, str(e.n)]
            + [f"{lat.p50:.3f} / {lat.p99:.3f}" for lat in (e, i, m, c)]
            + [f"{e.p50 / i.p50:.2f}", f"{e.p50 / m.p50:.2f}", f"{e.p50 / c.p50:.2f}"]
        )
        figures.append(Figure(NAME, f"{operation} endpoint p50", e.p50))
        figures.append(Figure(NAME, f"{operation} endpoint/in-process p50", e.p50 / i.p50, "x", note="goal <= 1.5"))
        figures.append(Figure(NAME, f"{operation} endpoint/patched p50", e.p50 / m.p50, "x"))
        figures.append(Figure(NAME, f"{operation} endpoint/canned p50", e.p50 / c.p50, "x"))
    header = ["operation", "n", "endpoint p50/p99 ms", "in-process", "patched", "canned"]
    header += ["end/in-proc", "end/patched", "end/canned"]
    print(f"\n{NAME}: boto3 client included, sides alternating")
    print(table(rows, header))
    small, big = (queries[k] for k in queries)
    rows = [
        [
            name,
            f"{small[name].p50:.3f} / {small[name].p99:.3f}",
            f"{big[name].p50:.3f} / {big[name].p99:.3f}",
            f"{big[name].p50 / small[name].p50:.2f}",
        ]
        for name in SIDES
    ]
    print(f"\nQuery, a page of {PAGE} (p50/p99 ms)")
    print(table(rows, ["side", f"partition of {PAGE}", f"partition of {BIG_PARTITION}", "ratio"]))
    e_small, e_big = small["endpoint"].p50, big["endpoint"].p50
    figures.append(Figure(NAME, f"Query page, partition of {PAGE}, endpoint p50", e_small, note="goal <= 3 ms"))
    figures.append(Figure(NAME, f"Query page, partition of {BIG_PARTITION}, endpoint p50", e_big))
    figures.append(Figure(NAME, f"Query page {BIG_PARTITION}/{PAGE} p50", e_big / e_small, "x", note="goal <= 1.3"))
    return figures


if __name__ == "__main__":
    cli(run)
