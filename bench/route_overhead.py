"""Overhead of localcloud on a real route: GET /todos/{todoId} through the gateway vs the handler in-process.

Both sides run todos.handlers.read against the same moto endpoint, table and item. The gateway side is
a keep-alive HTTP client sending a real Cognito id token (verified by the gateway against the pool's
JWKS, then a warm worker). The in-process side calls the same handler in this process with the event
the gateway would build. Requests alternate between the sides; prints p50/p99 and the ratio
gateway/in-process (goal: at most 1.5).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import jwt
from http_client import KeepAliveClient
from stats import Figure, Latency, cli, latency_table

ROOT = Path(__file__).resolve().parent.parent
NAME = "route overhead (GET /todos/{id})"
FUNCTION = "Todos/ReadTodosFunction"
API = "Todos/TodosApi"
EMAIL = "bench@example.com"
PASSWORD = "Bench-Passw0rd-1"


class Context:
    """The Lambda context attributes Powertools reads."""

    def __init__(self, spec):
        self.function_name = spec.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = spec.arn
        self.memory_limit_in_mb = spec.memory
        self.aws_request_id = ""
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = "bench"
        self._deadline = 0.0
        self._timeout = spec.timeout

    def renew(self) -> Context:
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.time() + self._timeout
        return self

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def id_token(cloud) -> str:
    ids = cloud.endpoints()["cognito"]
    idp = cloud.aws("cognito-idp")
    idp.admin_create_user(
        UserPoolId=ids["userPoolId"],
        Username=EMAIL,
        UserAttributes=[{"Name": "email", "Value": EMAIL}, {"Name": "email_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(UserPoolId=ids["userPoolId"], Username=EMAIL, Password=PASSWORD, Permanent=True)
    auth = idp.initiate_auth(
        ClientId=ids["clientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )
    return auth["AuthenticationResult"]["IdToken"]


def rest_event(api_url: str, todo_id: str, token: str) -> dict:
    """The REST API proxy event API Gateway gives the function for this request."""
    payload = jwt.decode(token, options={"verify_signature": False})
    claims = {k: v if isinstance(v, str) else json.dumps(v) for k, v in payload.items()}
    api_id, stage = api_url.rstrip("/").split("/")[-2:]
    headers = {"Authorization": token, "Accept": "application/json", "Host": api_url.split("/")[2]}
    return {
        "resource": "/todos/{todoId}",
        "path": f"/todos/{todo_id}",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"todoId": todo_id},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/todos/{todoId}",
            "httpMethod": "GET",
            "path": f"/{stage}/todos/{todo_id}",
            "stage": stage,
            "apiId": api_id,
            "accountId": "123456789012",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"},
            "authorizer": {"claims": claims},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def load_handler(cloud, spec):
    """Import the function's handler here, with its code, layers and environment, as a worker would."""
    for layer in reversed(spec.layer_dirs):
        sys.path.insert(0, str(layer / "python" if (layer / "python").is_dir() else layer))
    sys.path.insert(0, str(spec.code_dir))
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": cloud.region,
            "AWS_DEFAULT_REGION": cloud.region,
            "AWS_ENDPOINT_URL": cloud.aws_url,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
            **spec.environment,
        }
    )
    module_name, func = spec.handler.rsplit(".", 1)
    module = __import__(module_name, fromlist=[func])
    return getattr(module, func)


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="measured requests per side (default 2000)")
    parser.add_argument("--warmup", type=int, default=100, help="unmeasured requests per side first")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop measuring after this long")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from localcloud.runtime import LocalCloud

    logging.basicConfig(level=logging.ERROR)

    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    state = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    cloud = LocalCloud(ROOT / "template.yaml", state_dir=state)
    devnull = open(os.devnull, "w")  # noqa: SIM115 (the in-process handler's log output)
    client = None
    try:
        cloud.start()
        api_url = cloud.endpoints()["apis"][API]
        token = id_token(cloud)
        client = KeepAliveClient(api_url)
        auth = {"Authorization": token}
        status, body, _ = client.request(
            "POST", "/todos", {**auth, "Content-Type": "application/json"}, json.dumps({"title": "bench"}).encode()
        )
        if status != 201:
            raise RuntimeError(f"POST /todos answered {status}: {body[:300]!r}")
        todo_id = json.loads(body)["todoId"]
        spec = cloud.deployment.function(FUNCTION)
        event = rest_event(api_url, todo_id, token)
        context = Context(spec)
        with contextlib.redirect_stdout(devnull):
            handler = load_handler(cloud, spec)

        def gateway() -> tuple[int, bytes, float]:
            return client.get(f"/todos/{todo_id}", auth)

        def in_process() -> tuple[int, bytes, float]:
            event["requestContext"]["requestId"] = str(uuid.uuid4())
            with contextlib.redirect_stdout(devnull):
                start = time.perf_counter_ns()
                response = handler(event, context.renew())
                elapsed = (time.perf_counter_ns() - start) / 1e6
            return response["statusCode"], response["body"].encode(), elapsed

        sides = {"gateway": gateway, "in-process": in_process}
        first = {name: side() for name, side in sides.items()}
        for name, (status, body, _) in first.items():
            if status != 200:
                raise RuntimeError(f"{name} GET /todos/{todo_id} answered {status}: {body[:300]!r}")
        if json.loads(first["gateway"][1]) != json.loads(first["in-process"][1]):
            raise RuntimeError(f"the sides disagree: {first['gateway'][1][:300]!r} vs {first['in-process'][1][:300]!r}")
        for side in sides.values():
            for _ in range(args.warmup):
                side()
        results = {name: Latency() for name in sides}
        order = list(sides)
        deadline = time.monotonic() + args.max_seconds
        for i in range(args.requests):
            for name in order if i % 2 == 0 else reversed(order):
                status, body, ms = sides[name]()
                if status != 200:
                    raise RuntimeError(f"{name} answered {status}: {body[:300]!r}")
                results[name].samples.append(ms)
            if time.monotonic() > deadline:
                print(f"time bound of {args.max_seconds:.0f} s reached after {i + 1} requests per side", flush=True)
                break
        connects = client.connects
    finally:
        if client:
            client.close()
        cloud.stop()
        devnull.close()

    print(f"\n{NAME}: real Cognito id token, same moto table and item; gateway connections opened: {connects}")
    print(latency_table(results, baseline="in-process"))
    gw, local = results["gateway"], results["in-process"]
    return [
        Figure(NAME, "gateway p50", gw.p50),
        Figure(NAME, "gateway p99", gw.p99),
        Figure(NAME, "in-process p50", local.p50),
        Figure(NAME, "in-process p99", local.p99),
        Figure(NAME, "ratio gateway/in-process p50", gw.p50 / local.p50, "x", "goal <= 1.5"),
        Figure(NAME, "ratio gateway/in-process p99", gw.p99 / local.p99, "x"),
    ]


if __name__ == "__main__":
    cli(run)
