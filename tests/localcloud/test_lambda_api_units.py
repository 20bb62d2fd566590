"""The Lambda API's parts without a running localcloud: which target a FunctionName names, and what
Invoke answers for each invocation type, error, throttle and log type."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from localcloud.lambda_api.catalog import Catalog, LambdaError
from localcloud.lambda_api.invoking import Invoker
from localcloud.model import Deployment, FunctionNotFound, FunctionSpec, InvokeResult, LogStore, Resource, Throttled

ACCOUNT = "123456789012"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:work"


@pytest.fixture
def catalog() -> Catalog:
    deployment = Deployment(region="us-east-1", account_id=ACCOUNT, aws_endpoint="http://aws")
    spec = FunctionSpec(address="App/Work", name="work", arn=ARN, handler="app.work", runtime="python3.13",
                        code_dir=Path("."), reserved_concurrency=2)  # fmt: skip
    deployment.functions[ARN] = spec
    deployment.resources += [
        Resource("App", "Work", "AWS::Lambda::Function", {"Handler": "app.work"}, "work", {"Arn": ARN}),
        Resource("App", "WorkVersion", "AWS::Lambda::Version", {"FunctionName": "work"}, f"{ARN}:1", {"Version": "1"}),
        Resource("App", "WorkAlias", "AWS::Lambda::Alias",
                 {"FunctionName": "work", "Name": "live", "FunctionVersion": "1"}, f"{ARN}:live"),
    ]  # fmt: skip
    return Catalog(deployment)


@pytest.mark.parametrize(
    ("name", "qualifier", "arn", "version"),
    [
        ("work", None, ARN, "$LATEST"),
        (ARN, None, ARN, "$LATEST"),
        (f"{ACCOUNT}:function:work", None, ARN, "$LATEST"),
        ("work:live", None, f"{ARN}:live", "1"),
        ("work", "live", f"{ARN}:live", "1"),
        (f"{ARN}:1", None, f"{ARN}:1", "1"),
        ("work", "$LATEST", f"{ARN}:$LATEST", "$LATEST"),
    ],
)
def test_a_function_name_resolves_to_its_target(catalog, name, qualifier, arn, version):
    target = catalog.resolve(name, qualifier)
    assert (target.arn, target.version, target.spec.address) == (arn, version, "App/Work")


@pytest.mark.parametrize(
    ("name", "qualifier", "status", "code"),
    [
        ("nope", None, 404, "ResourceNotFoundException"),
        ("work:beta", None, 404, "ResourceNotFoundException"),
        ("work", "7", 404, "ResourceNotFoundException"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:work", None, 404, "ResourceNotFoundException"),
        ("work:live", "1", 400, "InvalidParameterValueException"),
        ("bad/name", None, 400, "ValidationException"),
    ],
)
def test_what_names_nothing_gets_lambdas_error(catalog, name, qualifier, status, code):
    with pytest.raises(LambdaError) as refused:
        catalog.resolve(name, qualifier)
    assert (refused.value.status, refused.value.code) == (status, code)


def test_configuration_and_alias_shapes(catalog):
    spec = catalog.resolve("work").spec
    config = catalog.configuration(spec, "1")
    assert (config["FunctionArn"], config["Version"], config["Handler"]) == (f"{ARN}:1", "1", "app.work")
    alias = catalog.alias_shape(spec, catalog.aliases[ARN]["live"])
    assert (alias["AliasArn"], alias["FunctionVersion"]) == (f"{ARN}:live", "1")


class Calls:
    def __init__(self, result: InvokeResult | Exception):
        self.result = result
        self.sync: list[tuple[str, bytes]] = []
        self.queued: list[tuple[str, str, str]] = []

    def invoke(self, arn: str, payload: bytes) -> InvokeResult:
        self.sync.append((arn, payload))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result

    def invoke_async(self, channel: str, arn: str, payload: str) -> str:
        self.queued.append((channel, arn, payload))
        return "message-id"


def invoker(calls: Calls, logs: LogStore | None = None) -> Invoker:
    return Invoker(calls.invoke, calls.invoke_async, logs or LogStore())


def test_request_response_returns_the_payload_and_the_executed_version(catalog):
    calls = Calls(InvokeResult("r-1", payload={"ok": 1}))
    answer = invoker(calls).invoke(catalog.resolve("work:live"), b'{"a": 1}', "RequestResponse", "None")
    assert (answer.status, json.loads(answer.body)) == (200, {"ok": 1})
    assert ("X-Amz-Executed-Version", "1") in answer.headers and ("x-amzn-RequestId", "r-1") in answer.headers
    assert calls.sync == [(f"{ARN}:live", b'{"a": 1}')]


def test_an_empty_payload_is_an_empty_object(catalog):
    calls = Calls(InvokeResult("r-1", payload=None))
    invoker(calls).invoke(catalog.resolve("work"), b"", "RequestResponse", "None")
    assert calls.sync == [(ARN, b"{}")]


def test_an_unhandled_error_is_marked_and_ordered_as_lambda_orders_it(catalog):
    error = {"errorType": "Boom", "stackTrace": ["x"], "errorMessage": "no", "requestId": "r-2"}
    answer = invoker(Calls(InvokeResult("r-2", error=error))).invoke(
        catalog.resolve("work"), b"{}", "RequestResponse", "None"
    )
    assert ("X-Amz-Function-Error", "Unhandled") in answer.headers
    assert list(json.loads(answer.body)) == ["errorMessage", "errorType", "requestId", "stackTrace"]


def test_the_tail_is_the_requests_own_lines_base64(catalog):
    logs = LogStore()
    logs.append("App/Work", "START RequestId: r-3", "r-3")
    logs.append("App/Work", "another request", "r-4")
    logs.append("App/Work", "REPORT RequestId: r-3", "r-3")
    answer = invoker(Calls(InvokeResult("r-3", payload=1)), logs).invoke(
        catalog.resolve("work"), b"{}", "RequestResponse", "Tail"
    )
    tail = dict(answer.headers)["X-Amz-Log-Result"]
    assert base64.b64decode(tail).decode() == "START RequestId: r-3\nREPORT RequestId: r-3\n"


def test_event_queues_and_dry_run_runs_nothing(catalog):
    calls = Calls(InvokeResult("r", payload=1))
    target = catalog.resolve("work")
    assert invoker(calls).invoke(target, b'{"e": 1}', "Event", "None").status == 202
    assert invoker(calls).invoke(target, b'{"e": 1}', "DryRun", "None").status == 204
    assert calls.queued == [("lambda", ARN, '{"e": 1}')] and calls.sync == []


@pytest.mark.parametrize(
    ("result", "payload", "kind", "status", "code"),
    [
        (Throttled(), b"{}", "RequestResponse", 429, "TooManyRequestsException"),
        (FunctionNotFound("gone"), b"{}", "RequestResponse", 404, "ResourceNotFoundException"),
        (InvokeResult("r"), b"nope", "RequestResponse", 400, "InvalidRequestContentException"),
        (InvokeResult("r"), b"{}", "Later", 400, "ValidationException"),
        (InvokeResult("r"), b'"' + b"x" * (1024 * 1024) + b'"', "Event", 413, "RequestEntityTooLargeException"),
    ],
)
def test_refusals(catalog, result, payload, kind, status, code):
    with pytest.raises(LambdaError) as refused:
        invoker(Calls(result)).invoke(catalog.resolve("work"), payload, kind, "None")
    assert (refused.value.status, refused.value.code) == (status, code)
