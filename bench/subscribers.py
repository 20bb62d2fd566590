"""The subscribers service on the root template: subscribe → welcome email in the SES outbox, p50 and p99
(the API, the table's stream, send-welcome, SES); and one published post fanned out to N subscribers
(BlogEvents → fan-out-post → the send queue → send-post-email → SES): wall time from `POST .../publish`
to the last email, emails sent, duplicates and lost (both must be 0). The subscribers are written straight
into the table (their welcomes are drained, and timed, before the post is published)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import boto3
import localcloud_up
import requests
from blog import admin_token
from stats import Figure, Latency, cli

sys.path.insert(0, str(localcloud_up.ROOT))
from localcloud.template import load_yaml  # the repository root is on the path only now


def client(endpoints: dict, service: str):
    return boto3.client(service, endpoint_url=endpoints["aws"], region_name=endpoints["region"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


def outbox(session: requests.Session, endpoints: dict, query: str | None = None) -> list[dict]:
    params = {"q": query} if query else None
    # the console parses every email it lists: 20 000 (welcomes and the post) take minutes
    return session.get(f"{endpoints['console']}/api/outbox", params=params, timeout=1800).json()


def welcome_latency(session: requests.Session, endpoints: dict, count: int) -> tuple[Latency, set[str]]:
    """Each subscribe timed until its welcome is in the outbox; and the addresses (they get the post too).

    The end of each sample is the send time SES stamped on the message (the outbox's `time`, on this
    machine's clock), not the moment the console's answer reached us: polling the outbox costs more than
    the path it would time."""
    api = endpoints["apis"]["Subscribers/SubscribersApi"]
    latency, addresses = Latency(), set()
    for n in range(count + 5):
        address = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        addresses.add(address)
        started, wall = time.perf_counter(), time.time()
        session.post(f"{api}/subscribers", json={"email": address}, timeout=30).raise_for_status()
        while not (found := outbox(session, endpoints, address)):
            if time.perf_counter() - started > 30:
                raise TimeoutError(f"no welcome to {address} after 30 s")
            time.sleep(0.02)  # polling the console harder would slow the instance it measures
        if n >= 5:  # the first ones warm the workers on the way
            latency.samples.append((min(m["time"] for m in found) - wall) * 1000)
        time.sleep(0.06)  # stay under the stage's throttle (20 requests a second)
    return latency, addresses


def seed(endpoints: dict, table: str, count: int) -> set[str]:
    dynamodb = client(endpoints, "dynamodb")
    addresses = set()
    items = []
    for n in range(count):
        address = f"reader{n:05d}@example.com"
        addresses.add(address)
        item = {"id": {"S": uuid.uuid4().hex}, "email": {"S": address}, "status": {"S": "active"}}
        items.append({"PutRequest": {"Item": item}})
    for start in range(0, len(items), 25):
        batch = {table: items[start : start + 25]}
        while batch:
            batch = dynamodb.batch_write_item(RequestItems=batch).get("UnprocessedItems") or None
    return addresses


def queue_empty(sqs, url: str) -> bool:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return all(attributes[name] == "0" for name in names)


def send_settings(endpoints: dict) -> str:
    """What send-post-email was deployed with: the `local` samconfig env's SubscribersMaxSendRate, its
    reserved concurrency and batch size (the SendRates mapping). The fan-out's wall time is bounded by the
    rate by design (10 000 at 14 a second takes 12 minutes), so the bench runs at the highest, 1000."""
    lam = client(endpoints, "lambda")
    name = next(f["FunctionName"] for f in lam.list_functions()["Functions"] if "SendPostEmail" in f["FunctionName"])
    variables = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    reserved = lam.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    rates = load_yaml(localcloud_up.ROOT / "services/subscribers/template.yaml")["Mappings"]["SendRates"]
    batch = rates[variables["MAX_SEND_RATE"]]["BatchSize"]
    return (f"send-post-email: MaxSendRate {variables['MAX_SEND_RATE']} emails/s (samconfig local), "
            f"reserved concurrency {reserved}, batches of {batch}")  # fmt: skip


def wait_idle(session: requests.Session, endpoints: dict, timeout: float) -> None:
    base = endpoints["console"].removesuffix("/_local")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = session.post(f"{base}/_local/control/wait-idle", json={"timeout": 60}, timeout=120).json()
        if answer["idle"]:
            return
    raise TimeoutError(f"not idle after {timeout} s")


def run(argv: list[str]) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000, help="subscribers of the fanned-out post")
    parser.add_argument("--welcomes", type=int, default=100, help="subscribes timed to their welcome email")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-subscribers-") as state:
        cloud = localcloud_up.start(Path(state), Path(state) / "log.txt")
        try:
            endpoints = cloud.endpoints
            session = requests.Session()
            ssm, sqs = client(endpoints, "ssm"), client(endpoints, "sqs")
            table = ssm.get_parameter(Name="/platform/local/subscribers/TableName")["Parameter"]["Value"]
            send_queue = ssm.get_parameter(Name="/platform/local/subscribers/SendQueueUrl")["Parameter"]["Value"]

            print(send_settings(endpoints), flush=True)
            welcome, early = welcome_latency(session, endpoints, args.welcomes)
            print(f"subscribe to welcome in the outbox: p50 {welcome.p50:.0f} ms, p99 {welcome.p99:.0f} ms "
                  f"({welcome.n} subscribes)", flush=True)  # fmt: skip

            started = time.monotonic()
            expected = seed(endpoints, table, args.subscribers) | early
            wait_idle(session, endpoints, 1800)
            welcomes_s = time.monotonic() - started
            print(f"{args.subscribers} subscribers written and welcomed in {welcomes_s:.1f} s", flush=True)

            admin = {"Authorization": admin_token(endpoints)}
            blog = endpoints["apis"]["Blog/BlogApi"]
            slug, title = f"bench-{uuid.uuid4().hex[:6]}", f"Bench letter {uuid.uuid4().hex[:6]}"
            body = {"slug": slug, "title": title, "body": "# Bench\n\nFor every subscriber."}
            session.post(f"{blog}/posts", json=body, headers=admin, timeout=30).raise_for_status()
            published = time.time()
            session.post(f"{blog}/posts/{slug}/publish", headers=admin, timeout=30).raise_for_status()
            # done: the send queue had jobs, then stayed empty for 5 s (wait-idle may never come while
            # other pollers run, as after a 10 000 fan-out)
            started_sending, settled = False, None
            while not started_sending or settled is None or time.monotonic() - settled < 5:
                time.sleep(0.5)
                empty = queue_empty(sqs, send_queue)
                started_sending = started_sending or not empty
                settled = (settled or time.monotonic()) if empty and started_sending else None
            emails = [m for m in outbox(session, endpoints) if m["subject"] == title]
        finally:
            cloud.stop()
    received = Counter(address for m in emails for address in m["to"])
    wall = max(m["time"] for m in emails) - published if emails else float("nan")
    duplicates = sum(n - 1 for n in received.values())
    lost = len(expected - set(received))
    print(f"fan-out to {args.subscribers} subscribers: {wall:.1f} s wall time, {len(emails)} emails sent, "
          f"{duplicates} duplicates, {lost} lost, {len(emails) / wall:.1f} emails/s")  # fmt: skip
    print(json.dumps({"welcome_p50_ms": welcome.p50, "welcome_p99_ms": welcome.p99, "fanout_s": wall,
                      "sent": len(emails), "duplicates": duplicates, "lost": lost,
                      "emails_per_s": len(emails) / wall}))  # fmt: skip
    return [
        Figure("subscribers", "subscribe to welcome p50", welcome.p50),
        Figure("subscribers", "subscribe to welcome p99", welcome.p99),
        Figure("subscribers", f"fan-out to {args.subscribers} wall time", wall, "s"),
        Figure("subscribers", "fan-out emails sent", len(emails), "emails"),
        Figure("subscribers", "fan-out duplicates", duplicates, "emails"),
        Figure("subscribers", "fan-out lost", lost, "emails"),
        Figure("subscribers", "fan-out rate", len(emails) / wall, "emails/s"),
    ]


if __name__ == "__main__":
    cli(run)
