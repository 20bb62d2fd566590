"""GET /todos for a user with 10 000 to-dos vs a user with 10, through the gateway on the root template.

Listing is a DynamoDB Query on the owner's partition, so its time must not grow with the partition (goal:
p50 ratio ≤ 1.3). The small user's to-dos are made through the API; the large user's are batch-written
straight into the todos table through localcloud's AWS endpoint, shaped as the todos DAL stores them
(services/todos/src/todos/dal/dynamo.py: pk = the user-pool `sub`, sk = a ULID), which takes seconds rather
than minutes. Both sides ask for the same page (`?limit=10`, so the bodies are the same size), on one
keep-alive client each, alternating after a warm-up. Prints p50/p99 per side and the ratio.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import time
from pathlib import Path

import boto3
import localcloud_up
from http_client import KeepAliveClient
from load import sign_in
from stats import Figure, Latency, cli, latency_table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared"))
from common.ulids import new_ulid  # noqa: E402 (the ids the todos service makes)

PAGE = 10
BATCH = 25  # BatchWriteItem's limit


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def stored_item(owner: str, n: int, now_ms: int) -> dict:
    """A to-do as the DAL stores it: the API's fields under pk/sk, None fields left out."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now_ms / 1000))
    item = {"pk": owner, "sk": new_ulid(now_ms), "title": f"Seeded to-do {n}", "done": n % 3 == 0,
            "createdAt": stamp, "updatedAt": stamp, "version": 1}  # fmt: skip
    if n % 2:
        item["notes"] = "Some notes " * 5
    return item


def seed_table(endpoints: dict, table_name: str, owner: str, count: int) -> float:
    """`count` to-dos for `owner` through batch writes; returns the seconds it took."""
    table = boto3.resource("dynamodb", endpoint_url=endpoints["aws"], region_name=endpoints["region"],
                           aws_access_key_id="testing", aws_secret_access_key="testing").Table(table_name)  # fmt: skip
    started = time.monotonic()
    base = int(time.time() * 1000) - count
    with table.batch_writer() as batch:  # 25 items a request, unprocessed items retried
        for n in range(count):
            batch.put_item(Item=stored_item(owner, n, base + n))
    return time.monotonic() - started


def todos_table(endpoints: dict) -> str:
    for stack, outputs in endpoints["outputs"].items():
        if stack.split("/")[-1] == "Todos" and "TableName" in outputs:
            return outputs["TableName"]
    raise LookupError(f"no Todos stack output TableName in {list(endpoints['outputs'])}")


def run(argv: list[str]) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="measured requests per side (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests per side first")
    parser.add_argument("--big", type=int, default=10_000, help="to-dos of the large user (default 10 000)")
    parser.add_argument("--small", type=int, default=10, help="to-dos of the small user (default 10)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as state:
        cloud = localcloud_up.start(Path(state) / "state", Path(state) / "log.txt")
        try:
            endpoints = cloud.endpoints
            api = endpoints["apis"]["Todos/TodosApi"]
            tokens = {"small": sign_in(endpoints, "scale-small@example.com"),
                      "big": sign_in(endpoints, "scale-big@example.com")}  # fmt: skip
            clients = {side: KeepAliveClient(api) for side in tokens}
            for n in range(args.small):
                body = json.dumps({"title": f"to-do {n}"}).encode()
                headers = {"Authorization": tokens["small"], "Content-Type": "application/json"}
                status, text, _ = clients["small"].request("POST", "/todos", headers, body)
                if status != 201:
                    raise RuntimeError(f"POST /todos answered {status}: {text[:300]!r}")
            seeded = seed_table(endpoints, todos_table(endpoints), claims(tokens["big"])["sub"], args.big)
            print(f"seeded {args.big} to-dos in {seeded:.1f} s", flush=True)

            def call(side: str) -> float:
                status, body, ms = clients[side].get(f"/todos?limit={PAGE}", {"Authorization": tokens[side]})
                if status != 200:
                    raise RuntimeError(f"{side} GET /todos answered {status}: {body[:300]!r}")
                page = json.loads(body)
                expect_more = (args.big if side == "big" else args.small) > PAGE
                if len(page["items"]) != min(PAGE, args.big if side == "big" else args.small) or (
                    bool(page.get("nextCursor")) != expect_more
                ):
                    raise RuntimeError(f"{side}: unexpected page {body[:300]!r}")
                return ms

            for _ in range(args.warmup):
                call("small"), call("big")
            sides = {f"{args.big} todos": Latency(), f"{args.small} todos": Latency()}
            for n in range(args.requests):
                for side in ("big", "small") if n % 2 == 0 else ("small", "big"):
                    label = f"{args.big if side == 'big' else args.small} todos"
                    sides[label].samples.append(call(side))
        finally:
            cloud.stop()
    big, small = sides.values()
    print(f"GET /todos?limit={PAGE} through the gateway, {args.requests} requests per side")
    print(latency_table(sides, baseline=f"{args.small} todos"))
    ratio = big.p50 / small.p50
    print(f"\nratio {args.big}/{args.small} p50 {ratio:.2f} (goal ≤ 1.3)")
    return [
        Figure("todos_scale", f"GET /todos p50, {args.small} todos", small.p50),
        Figure("todos_scale", f"GET /todos p50, {args.big} todos", big.p50),
        Figure("todos_scale", f"GET /todos {args.big}/{args.small} p50", ratio, "x", note="goal ≤ 1.3"),
        Figure("todos_scale", f"seeding {args.big} todos (batch writes)", seeded, "s"),
    ]


if __name__ == "__main__":
    cli(run)
