"""Lambda API Invoke on the AWS endpoint vs the same function behind the local API Gateway.

localcloud runs bench/fixtures/hello/template.yaml (one function behind GET /hello). One side calls
boto3 `lambda.invoke` (RequestResponse) through the AWS endpoint, as a client or a function would; the
other sends GET /hello through the gateway on a keep-alive client. Both reach the same warm worker.
Calls alternate (A B, B A, ...). Prints p50/p99 and the ratio invoke/gateway.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

from http_client import KeepAliveClient
from stats import Figure, Latency, cli, latency_table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "fixtures" / "hello" / "template.yaml"
NAME = "lambda invoke"


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="timed calls per side (default 1000)")
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    import boto3

    from localcloud.runtime import LocalCloud

    logging.basicConfig(level=logging.ERROR)
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    cloud = LocalCloud(TEMPLATE, state_dir=Path(tempfile.mkdtemp(prefix="bench-invoke-")), persist=False)
    invoke, gateway = Latency(), Latency()
    try:
        cloud.start()
        function = cloud.deployment.find("", "HelloFunction").ref
        lam = boto3.client("lambda", endpoint_url=cloud.aws_url, region_name=cloud.region)
        base = next(iter(cloud.endpoints()["apis"].values()))
        http = KeepAliveClient(base)

        def by_invoke() -> float:
            started = time.perf_counter()
            answer = lam.invoke(FunctionName=function, Payload=b'{"bench": true}')
            answer["Payload"].read()
            elapsed = (time.perf_counter() - started) * 1000
            if answer["StatusCode"] != 200 or "FunctionError" in answer:
                raise RuntimeError(f"invoke failed: {answer}")
            return elapsed

        def by_gateway() -> float:
            status, body, elapsed = http.get("/hello")
            if status != 200:
                raise RuntimeError(f"GET /hello answered {status}: {body[:200]!r}")
            return elapsed

        for _ in range(args.warmup):
            by_invoke()
            by_gateway()
        for index in range(args.n):
            order = (by_invoke, by_gateway) if index % 2 == 0 else (by_gateway, by_invoke)
            for side in order:
                (invoke if side is by_invoke else gateway).samples.append(side())
        http.close()
    finally:
        cloud.stop()

    print(f"{NAME}: {args.n} calls per side, alternating, one warm worker")
    print(latency_table({"lambda.invoke": invoke, "gateway GET": gateway}, baseline="gateway GET"))
    return [
        Figure(NAME, "Invoke p50 (boto3, AWS endpoint)", invoke.p50),
        Figure(NAME, "gateway GET /hello p50", gateway.p50),
        Figure(NAME, "ratio invoke/gateway p50", invoke.p50 / gateway.p50, "x"),
    ]


if __name__ == "__main__":
    cli(run)
