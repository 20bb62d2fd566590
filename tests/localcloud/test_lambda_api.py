"""The Lambda API on the AWS endpoint, as boto3 sees it: Invoke (RequestResponse, Event, DryRun) by name,
ARN, partial ARN and alias, from a client and from inside a function; the unhandled error document and
the log tail; async retries, destinations, DLQ and maximum event age; reserved concurrency; list/get
calls; Function URLs with NONE and AWS_IAM auth; and the 4xx answers Lambda gives to bad input."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.support.localcloud import localcloud_on

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "lambda_api" / "template.yaml"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "lambda-api")


@pytest.fixture(scope="module")
def out(cloud) -> dict:
    return cloud.endpoints["outputs"]["Root"]


@pytest.fixture(scope="module")
def lam(cloud):
    """A Lambda client that does not retry, so a 429 reaches the test as AWS sends it."""
    return boto3.client(
        "lambda",
        endpoint_url=cloud.endpoints["aws"],
        region_name=cloud.endpoints["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )


def invoke(lam, name: str, payload: dict | None = None, **kwargs) -> tuple[dict, object]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(payload or {}).encode(), **kwargs)
    return answer, json.loads(answer["Payload"].read() or b"null")


def wait_for(cloud, queue_url: str, match, timeout: float = 20) -> list[dict]:
    """Messages of the queue whose parsed body satisfies `match`, once there is at least one."""
    sqs = cloud.aws("sqs")
    deadline = time.monotonic() + timeout
    found: list[dict] = []
    while time.monotonic() < deadline:
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                       MessageAttributeNames=["All"], VisibilityTimeout=0)  # fmt: skip
        for message in received.get("Messages", []):
            body = json.loads(message["Body"])
            if match(body) and message["MessageId"] not in [m["MessageId"] for m in found]:
                found.append({**message, "Body": body})
        if found:
            return found
    return found


def test_invoke_by_name_arn_partial_arn_and_alias(lam, out):
    name, arn = out["EchoName"], out["EchoArn"]
    for key, invoked, version in [
        (name, arn, "$LATEST"),
        (arn, arn, "$LATEST"),
        (f"{ACCOUNT}:function:{name}", arn, "$LATEST"),
        (f"{name}:live", f"{arn}:live", "1"),
        (f"{arn}:live", f"{arn}:live", "1"),
    ]:
        answer, payload = invoke(lam, key, {"n": 1})
        assert (answer["StatusCode"], answer["ExecutedVersion"]) == (200, version), key
        assert payload["event"] == {"n": 1} and payload["invokedArn"] == invoked, key
        assert answer["ResponseMetadata"]["RequestId"] == payload["requestId"]
    answer, payload = invoke(lam, name, {"n": 2}, Qualifier="live")
    assert (answer["ExecutedVersion"], payload["invokedArn"]) == ("1", f"{arn}:live")


def test_a_function_invokes_another_with_boto3_from_inside(lam, out):
    answer, payload = invoke(lam, out["CallerName"], {"x": 1})
    assert "FunctionError" not in answer
    assert payload["status"] == 200
    assert payload["echo"]["event"] == {"from": "caller", "x": 1}


def test_an_unhandled_error_is_lambdas_error_document_with_the_log_tail(lam, out):
    answer, payload = invoke(lam, out["WorkerName"], {"id": "boom", "fail": True}, LogType="Tail")
    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert list(payload) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert (payload["errorType"], payload["errorMessage"]) == ("WorkFailed", "work boom failed")
    assert payload["requestId"] == answer["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert f"START RequestId: {payload['requestId']}" in tail and "work boom" in tail
    assert tail.rstrip().splitlines()[-1].startswith(f"REPORT RequestId: {payload['requestId']}")


def test_the_log_tail_is_the_last_4_kb(lam, out):
    answer, _ = invoke(lam, out["EchoName"], {"pad": "x" * 6000}, LogType="Tail")
    tail = base64.b64decode(answer["LogResult"])
    assert len(tail) == 4096 and tail.rstrip().splitlines()[-1].startswith(b"REPORT RequestId:")


def test_dry_run_checks_without_running(lam, out):
    assert lam.invoke(FunctionName=out["WorkerName"], InvocationType="DryRun")["StatusCode"] == 204
    with pytest.raises(ClientError) as missing:
        lam.invoke(FunctionName="nope", InvocationType="DryRun")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_an_event_invoke_is_accepted_then_reaches_the_on_success_destination(cloud, lam, out):
    job = uuid.uuid4().hex
    answer = lam.invoke(FunctionName=out["WorkerName"], InvocationType="Event", Payload=json.dumps({"id": job}))
    assert answer["StatusCode"] == 202 and answer["Payload"].read() == b""
    [record] = wait_for(cloud, out["SucceededQueue"], lambda b: b.get("requestPayload", {}).get("id") == job)
    body = record["Body"]
    assert body["version"] == "1.0" and body["responsePayload"] == {"done": job}
    assert body["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    context = body["requestContext"]
    assert context["condition"] == "Success" and context["approximateInvokeCount"] == 1
    assert context["functionArn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{out['WorkerName']}:$LATEST"
    old_style = uuid.uuid4().hex  # the deprecated InvokeAsync takes the same path
    assert lam.invoke_async(FunctionName=out["WorkerName"], InvokeArgs=json.dumps({"id": old_style}))["Status"] == 202
    assert wait_for(cloud, out["SucceededQueue"], lambda b: b.get("requestPayload", {}).get("id") == old_style)


def test_event_invokes_of_one_function_run_concurrently(cloud, lam, out):
    warming = [threading.Thread(target=invoke, args=(lam, out["WorkerName"], {"seconds": 1})) for _ in range(2)]
    for thread in warming:  # two warm workers, so no cold start holds the second invocation up
        thread.start()
    for thread in warming:
        thread.join(30)
    jobs = [uuid.uuid4().hex for _ in range(2)]
    for job in jobs:
        lam.invoke(
            FunctionName=out["WorkerName"], InvocationType="Event", Payload=json.dumps({"id": job, "seconds": 2})
        )
    done = []
    for job in jobs:
        done += wait_for(cloud, out["SucceededQueue"], lambda b, job=job: b.get("requestPayload", {}).get("id") == job)
    runs = [record["Body"]["responsePayload"] for record in done]
    assert max(run["started"] for run in runs) < min(run["ended"] for run in runs)


def test_a_lambda_destination_is_invoked_asynchronously_with_the_record(cloud, lam, out):
    job = uuid.uuid4().hex
    lam.invoke(FunctionName=out["RelayName"], InvocationType="Event", Payload=json.dumps({"id": job}))
    # Relay's on-success record is Worker's event, and Worker's own on-success record carries it
    [record] = wait_for(
        cloud, out["SucceededQueue"], lambda b: b.get("requestPayload", {}).get("requestPayload", {}).get("id") == job
    )
    relayed = record["Body"]["requestPayload"]
    assert relayed["requestContext"]["functionArn"].split(":")[6] == out["RelayName"]
    assert (relayed["requestContext"]["condition"], relayed["responsePayload"]) == ("Success", {"done": job})
    assert record["Body"]["requestContext"]["functionArn"].split(":")[6] == out["WorkerName"]


def test_a_failing_event_is_retried_twice_then_goes_to_on_failure_and_the_dlq(cloud, lam, out):
    job = uuid.uuid4().hex
    started = time.monotonic()
    lam.invoke(FunctionName=out["WorkerName"], InvocationType="Event", Payload=json.dumps({"id": job, "fail": True}))
    [failure] = wait_for(cloud, out["FailedQueue"], lambda b: b.get("requestPayload", {}).get("id") == job)
    waited = time.monotonic() - started
    body = failure["Body"]
    assert body["requestContext"]["condition"] == "RetriesExhausted"
    assert body["requestContext"]["approximateInvokeCount"] == 3
    assert body["responseContext"]["functionError"] == "Unhandled"
    assert body["responsePayload"]["errorType"] == "WorkFailed"
    assert waited >= 3  # the retries wait 1 s and 2 s locally (1 and 2 minutes on AWS)
    [dead] = wait_for(cloud, out["DeadLetterQueue"], lambda b: b.get("id") == job)
    assert dead["Body"] == {"id": job, "fail": True}
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["ErrorMessage"] == f"work {job} failed" and attributes["RequestID"]


def test_an_event_older_than_its_maximum_age_goes_to_an_eventbridge_on_failure_destination(cloud, lam, out):
    job = uuid.uuid4().hex
    lam.invoke(FunctionName=out["StaleName"], InvocationType="Event", Payload=json.dumps({"id": job, "fail": True}))
    # the destination is the default bus, whose rule sends Lambda's failure events to the Expired queue
    [expired] = wait_for(
        cloud, out["ExpiredQueue"], lambda b: b.get("detail", {}).get("requestPayload", {}).get("id") == job
    )
    event = expired["Body"]
    assert (event["source"], event["detail-type"]) == ("lambda", "Lambda Function Invocation Result - Failure")
    context = event["detail"]["requestContext"]
    assert context["condition"] == "EventAgeExceeded"
    assert context["approximateInvokeCount"] < 3  # MaximumEventAgeInSeconds 60, a minute locally scaled to 1 s


def test_over_reserved_concurrency_a_sync_invoke_gets_429_and_an_async_one_waits(cloud, lam, out):
    name, job = out["SlowName"], uuid.uuid4().hex

    def hold_the_one_execution():
        while True:  # a probe below may hold it for an instant first; then this call is the one throttled
            try:
                return invoke(lam, name, {"seconds": 8})
            except ClientError:
                time.sleep(0.05)

    running = threading.Thread(target=hold_the_one_execution)
    running.start()
    throttled = None
    try:
        # Until the first holds the one execution: on a loaded machine its start can take seconds.
        while throttled is None and running.is_alive():
            try:
                invoke(lam, name, {"seconds": 0})
                time.sleep(0.05)
            except ClientError as exc:
                throttled = exc.response
        assert throttled is not None, "never throttled"
        assert throttled["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert throttled["Error"]["Code"] == "TooManyRequestsException"
        assert throttled["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert (
            lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"id": job}))["StatusCode"] == 202
        )
    finally:
        running.join(30)
    [done] = wait_for(cloud, out["SucceededQueue"], lambda b: b.get("requestPayload", {}).get("id") == job)
    assert done["Body"]["responsePayload"] == {"slept": 0, "id": job}
    assert done["Body"]["requestContext"]["approximateInvokeCount"] == 1  # a throttled try is not an attempt


def test_list_functions_get_function_configuration_and_aliases(lam, out):
    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    functions = ("EchoName", "CallerName", "WorkerName", "StaleName", "RelayName", "SlowName")
    assert sorted(names) == sorted(out[k] for k in functions)
    first = lam.list_functions(MaxItems=2)
    rest = lam.list_functions(Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in first["Functions"] + rest["Functions"]] == names
    function = lam.get_function(FunctionName=out["SlowName"])
    config = function["Configuration"]
    assert (config["Runtime"], config["Handler"], config["Timeout"], config["State"]) == (
        "python3.13",
        "app.slow",
        10,
        "Active",
    )
    assert function["Concurrency"] == {"ReservedConcurrentExecutions": 1}
    echo = lam.get_function_configuration(FunctionName=out["EchoName"])
    assert echo["Environment"]["Variables"] == {"GREETING": "hello"}
    assert echo["Description"] == "answers what it was given and how it was invoked"
    assert lam.get_function_configuration(FunctionName=out["EchoName"], Qualifier="live")["Version"] == "1"
    alias = lam.get_alias(FunctionName=out["EchoName"], Name="live")
    assert (alias["AliasArn"], alias["FunctionVersion"]) == (f"{out['EchoArn']}:live", "1")
    assert [a["Name"] for a in lam.list_aliases(FunctionName=out["EchoName"])["Aliases"]] == ["live"]
    assert [v["Version"] for v in lam.list_versions_by_function(FunctionName=out["EchoName"])["Versions"]] == [
        "$LATEST",
        "1",
    ]
    assert lam.get_function_url_config(FunctionName=out["SlowName"])["AuthType"] == "AWS_IAM"
    invoke_config = lam.get_function_event_invoke_config(FunctionName=out["StaleName"])
    assert (invoke_config["MaximumEventAgeInSeconds"], invoke_config["MaximumRetryAttempts"]) == (60, 2)


def test_update_function_configuration_applies_to_the_running_function(lam, out):
    name = out["EchoName"]
    before = lam.get_function_configuration(FunctionName=name)
    assert invoke(lam, name)[1]["greeting"] == "hello"  # a warm worker with the old environment
    try:
        updated = lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"GREETING": "bonjour"}}, Timeout=20, MemorySize=256,
            Description="greets in French", RevisionId=before["RevisionId"],
        )  # fmt: skip
        assert (updated["Timeout"], updated["MemorySize"], updated["Description"]) == (20, 256, "greets in French")
        assert updated["Environment"]["Variables"] == {"GREETING": "bonjour"}
        assert updated["RevisionId"] != before["RevisionId"] and updated["LastUpdateStatus"] == "Successful"
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        assert invoke(lam, name)[1]["greeting"] == "bonjour"  # a new execution environment
        assert lam.get_function_configuration(FunctionName=name)["MemorySize"] == 256
        with pytest.raises(ClientError) as stale:
            lam.update_function_configuration(FunctionName=name, Timeout=5, RevisionId=before["RevisionId"])
        assert stale.value.response["Error"]["Code"] == "PreconditionFailedException"
        reserved = {"Environment": {"Variables": {"AWS_REGION": "eu-west-1"}}}
        for bad, code in (({"Timeout": 901}, "ValidationException"), (reserved, "InvalidParameterValueException")):
            with pytest.raises(ClientError) as refused:
                lam.update_function_configuration(FunctionName=name, **bad)
            assert refused.value.response["Error"]["Code"] == code
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert lam.get_function_configuration(FunctionName=name)["Timeout"] == 20  # refused ones changed nothing
    finally:
        lam.update_function_configuration(
            FunctionName=name, Environment=before["Environment"], Timeout=before["Timeout"],
            MemorySize=before["MemorySize"], Description=before["Description"],
        )  # fmt: skip
    assert invoke(lam, name)[1]["greeting"] == "hello"


def test_a_function_url_with_auth_none_gets_the_payload_2_event_and_cors(cloud, out):
    url = out["EchoUrl"]
    assert url.startswith(cloud.base + "/lambda-url/") and cloud.endpoints["functionUrls"]["Echo"] == url
    answer = requests.post(url + "orders/7?a=1&a=2", json={"k": "v"}, headers={"Origin": "https://app.example.com"},
                           timeout=30)  # fmt: skip
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
    event = answer.json()["event"]
    assert (event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]) == (
        "2.0", "$default", "/orders/7", "a=1&a=2",
    )  # fmt: skip
    assert event["queryStringParameters"] == {"a": "1,2"} and json.loads(event["body"]) == {"k": "v"}
    assert event["requestContext"]["http"]["method"] == "POST" and event["isBase64Encoded"] is False
    assert answer.json()["invokedArn"].endswith(":live")
    asking = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"}
    preflight = requests.options(url, headers=asking, timeout=30)
    assert preflight.status_code == 204 and preflight.headers["access-control-max-age"] == "300"
    binary = requests.post(url, data=b"\x00\xff", headers={"Content-Type": "application/octet-stream"}, timeout=30)
    assert binary.json()["event"]["isBase64Encoded"] is True
    logged = requests.get(f"{cloud.base}/_local/api/requests", params={"api": "Echo URL"}, timeout=30).json()
    served = next(r for r in logged if r["id"] == answer.headers["x-amzn-RequestId"])
    assert (served["method"], served["status"]) == ("POST", 200)


def test_a_function_url_with_aws_iam_wants_a_sigv4_signature(cloud, out):
    url = out["SlowUrl"]
    unsigned = requests.get(url, timeout=30)
    assert (unsigned.status_code, unsigned.json()) == (403, {"Message": "Forbidden"})
    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials("testing", "testing"), "lambda", cloud.endpoints["region"]).add_auth(request)
    signed = requests.get(url, headers=dict(request.headers), timeout=30)
    assert signed.status_code == 200, signed.text
    assert signed.json()["caller"]["iam"]["userArn"] == f"arn:aws:iam::{ACCOUNT}:root"
    wrong = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials("testing", "not-the-secret"), "lambda", cloud.endpoints["region"]).add_auth(wrong)
    assert requests.get(url, headers=dict(wrong.headers), timeout=30).status_code == 403


def test_identity_pool_credentials_invoke_what_their_role_allows_and_nothing_else(cloud, out):
    _, creds = cloud.identity_credentials("invoker")
    lam = cloud.aws("lambda", **creds)
    answer, payload = invoke(lam, out["EchoName"], {"as": "user"})
    assert answer["StatusCode"] == 200 and payload["event"] == {"as": "user"}
    for name, qualifier in ((out["WorkerName"], None), (out["EchoName"], "live")):
        with pytest.raises(ClientError) as denied:
            lam.invoke(FunctionName=name, **({"Qualifier": qualifier} if qualifier else {}))
        error = denied.value.response
        assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "AccessDeniedException")
        assert "lambda:InvokeFunction" in error["Error"]["Message"]
    request = AWSRequest(method="GET", url=out["SlowUrl"])
    SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"]), "lambda",
              cloud.endpoints["region"]).add_auth(request)  # fmt: skip
    signed = requests.get(out["SlowUrl"], headers=dict(request.headers), timeout=30)
    assert signed.status_code == 200, signed.text
    assert signed.json()["caller"]["iam"]["userArn"].endswith("/CognitoIdentityCredentials")


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "message"),
    [
        ({"FunctionName": "nope"}, 404, "ResourceNotFoundException",
         f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:nope"),
        ({"FunctionName": "ECHO:beta"}, 404, "ResourceNotFoundException", "Function not found: "),
        ({"FunctionName": "ECHO", "Payload": b"{not json"}, 400, "InvalidRequestContentException",
         "Could not parse request body into json"),
        ({"FunctionName": "ECHO", "InvocationType": "Later"}, 400, "ValidationException", "invocationType"),
        ({"FunctionName": "ECHO:live", "Qualifier": "1"}, 400, "InvalidParameterValueException", "derived qualifier"),
        ({"FunctionName": "ECHO", "Payload": b"[" * (6 * 1024 * 1024 + 1)}, 413, "RequestEntityTooLargeException",
         "Request must be smaller than"),
    ],
)  # fmt: skip
def test_bad_input_gets_the_4xx_lambda_gives(lam, out, kwargs, status, code, message):
    kwargs = {**kwargs, "FunctionName": kwargs["FunctionName"].replace("ECHO", out["EchoName"])}
    with pytest.raises(ClientError) as refused:
        lam.invoke(**kwargs)
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (status, code)
    assert message in error["Error"]["Message"]


def test_an_event_invoke_still_queued_at_a_stop_runs_after_the_restart(cloud, lam, out):
    """Last in this module: it restarts the module's localcloud on its saved state."""
    job = uuid.uuid4().hex
    busy = threading.Thread(target=invoke, args=(lam, out["SlowName"], {"seconds": 3}))
    busy.start()
    time.sleep(0.5)
    lam.invoke(FunctionName=out["SlowName"], InvocationType="Event", Payload=json.dumps({"id": job}))
    cloud.stop()  # while the event waits for Slow's one execution
    busy.join(30)
    cloud.start()
    [done] = wait_for(cloud, cloud.endpoints["outputs"]["Root"]["SucceededQueue"],
                      lambda b: b.get("requestPayload", {}).get("id") == job)  # fmt: skip
    assert done["Body"]["responsePayload"] == {"slept": 0, "id": job}
