"""State machines run on localcloud as on AWS: a local DefinitionUri with DefinitionSubstitutions and an
inline Definition; Task states against local Lambdas and SDK integrations; Choice, Map, Parallel, Wait,
Retry and Catch; start/describe/history over boto3; and the console shows each execution's steps."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import boto3
import pytest
import requests

from tests.support.localcloud import localcloud_on

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "stepfunctions" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "stepfunctions")


def outputs(cloud) -> dict:
    return cloud.endpoints["outputs"]["Root"]


def run(cloud, machine: str, payload: dict, timeout: float = 60) -> dict:
    sfn = cloud.aws("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=outputs(cloud)[machine], input=json.dumps(payload))
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return described
        time.sleep(0.1)


def history(cloud, execution_arn: str) -> list[dict]:
    return cloud.aws("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]


def test_it_starts_with_no_errors(cloud):
    assert cloud.endpoints["errors"] == []


def test_sdk_tasks_parallel_wait_map_and_choice(cloud):
    order = f"o-{uuid.uuid4().hex[:8]}"
    done = run(cloud, "BookkeepingArn", {"id": order, "numbers": [3, 1, 2]})
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"numbers": [3, 1, 2]}
    item = cloud.aws("dynamodb").get_item(TableName=outputs(cloud)["OrdersTable"], Key={"id": {"S": order}})
    assert "Item" in item
    types = [e["type"] for e in history(cloud, done["executionArn"])]
    for kind in ("TaskSucceeded", "ParallelStateEntered", "WaitStateEntered", "MapStateEntered", "ChoiceStateEntered"):
        assert kind in types


def test_catch_routes_an_sdk_error_and_fail_states_report_their_error(cloud):
    order = f"o-{uuid.uuid4().hex[:8]}"
    assert run(cloud, "BookkeepingArn", {"id": order, "numbers": [1]})["status"] == "SUCCEEDED"
    duplicate = run(cloud, "BookkeepingArn", {"id": order, "numbers": [1]})
    assert duplicate["status"] == "SUCCEEDED"
    result = json.loads(duplicate["output"])
    assert result["outcome"] == "duplicate"
    assert result["error"]["Error"] == "DynamoDB.ConditionalCheckFailedException"

    failed = run(cloud, "BookkeepingArn", {"id": f"o-{uuid.uuid4().hex[:8]}", "numbers": [-1]})
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED",
        "Negative",
        "the first number is not positive",
    )


def test_lambda_tasks_run_the_local_functions_and_retry_until_they_succeed(cloud):
    order = f"o-{uuid.uuid4().hex[:8]}"
    items = [{"sku": "a", "quantity": 2}, {"sku": "b", "quantity": 1}]
    done = run(cloud, "OrderFlowArn", {"id": order, "items": items})
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    assert output["priced"] == [{"sku": "a", "total": 6}, {"sku": "b", "total": 3}]
    assert output["charge"] == {"attempts": 3}
    events = history(cloud, done["executionArn"])
    failures = [e for e in events if e["type"] == "TaskFailed"]
    assert [e["taskFailedEventDetails"]["error"] for e in failures] == ["Charge.Unavailable"] * 2
    stored = cloud.aws("dynamodb").get_item(TableName=outputs(cloud)["OrdersTable"], Key={"id": {"S": order}})
    assert stored["Item"]["kind"] == {"S": "order"}


def test_an_execution_without_items_fails_with_the_definitions_error(cloud):
    failed = run(cloud, "OrderFlowArn", {"id": "none", "items": []})
    assert (failed["status"], failed["error"]) == ("FAILED", "NoItems")


def test_the_console_shows_each_executions_steps(cloud):
    done = run(cloud, "BookkeepingArn", {"id": f"o-{uuid.uuid4().hex[:8]}", "numbers": [5]})
    listing = requests.get(f"{cloud.base}/_local/api/stepfunctions", timeout=30).json()
    machine = next(m for m in listing if m["arn"] == outputs(cloud)["BookkeepingArn"])
    assert done["executionArn"] in [x["executionArn"] for x in machine["executions"]]
    steps = requests.get(
        f"{cloud.base}/_local/api/stepfunctions/execution", params={"arn": done["executionArn"]}, timeout=30
    ).json()
    assert [s["state"] for s in steps["steps"] if s["type"] == "TaskStateEntered"] == ["Record"]
    page = requests.get(
        f"{cloud.base}/_local/stepfunctions/execution", params={"arn": done["executionArn"]}, timeout=30
    )
    assert page.status_code == 200 and "Record" in page.text and "SUCCEEDED" in page.text


def test_an_express_machine_runs_synchronously_and_a_standard_one_refuses(cloud):
    from botocore.config import Config

    sfn = cloud.aws("stepfunctions")
    sync = boto3.client(
        "stepfunctions", endpoint_url=sfn.meta.endpoint_url, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing", config=Config(inject_host_prefix=False),
    )  # fmt: skip
    order = f"o-{uuid.uuid4().hex[:8]}"
    done = sync.start_sync_execution(
        stateMachineArn=outputs(cloud)["BookkeepingArn"], input=json.dumps({"id": order, "numbers": [4]})
    )
    assert done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"numbers": [4]}
    assert ":express:" in done["executionArn"]
    with pytest.raises(sync.exceptions.ClientError) as refused:
        sync.start_sync_execution(stateMachineArn=outputs(cloud)["OrderFlowArn"], input="{}")
    assert refused.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"
    with pytest.raises(sync.exceptions.ClientError) as bad:
        sync.start_sync_execution(stateMachineArn=outputs(cloud)["BookkeepingArn"], input="{not json")
    assert bad.value.response["Error"]["Code"] == "InvalidExecutionInput"
