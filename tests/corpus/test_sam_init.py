"""Corpus: `sam init` templates (aws/aws-sam-cli-app-templates, python3.13), rendered with the defaults.
Their READMEs test with `sam local invoke HelloWorldFunction --event events/…` (here `localcloud invoke`,
the same identifiers) and `curl` on `sam local start-api`; the step-func template's integration test
starts an execution and reads the transaction it recorded."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.corpus.support import APPS, wait_for

pytestmark = pytest.mark.localcloud


def event(app: str, name: str) -> dict:
    return json.loads((APPS / app / "events" / name).read_text())


class TestHello:
    """hello: the function answers {"message": "hello world"}, invoked with events/event.json and over the
    API's /hello route."""

    APP = "sam-init-hello"

    def test_invoke_with_the_sample_event(self, app):
        result = app.invoke("HelloWorldFunction", event(self.APP, "event.json"))
        assert result["error"] is None
        assert result["payload"]["statusCode"] == 200
        assert json.loads(result["payload"]["body"]) == {"message": "hello world"}

    def test_get_hello(self, app):
        response = requests.get(app.outputs["HelloWorldApi"], timeout=30)
        assert response.status_code == 200
        assert response.json() == {"message": "hello world"}


class TestHelloPowertools:
    """hello-pt: the Powertools resolver answers GET /hello with {"message": "hello world"}, logs
    "Hello world API - HTTP 200" as structured JSON and emits the HelloWorldInvocations metric."""

    APP = "sam-init-hello-pt"

    def test_invoke_with_the_sample_event(self, app):
        result = app.invoke("HelloWorldFunction", event(self.APP, "hello.json"))
        assert result["error"] is None
        assert json.loads(result["payload"]["body"]) == {"message": "hello world"}

    def test_get_hello_logs_and_counts(self, app):
        response = requests.get(app.outputs["HelloWorldApi"], timeout=30)
        assert response.status_code == 200
        assert response.json() == {"message": "hello world"}
        lines = app.log_lines("HelloWorldFunction")
        records = [json.loads(line) for line in lines if line.startswith("{")]
        hello = [r for r in records if r.get("message") == "Hello world API - HTTP 200"]
        assert hello and hello[-1]["service"] == "PowertoolsHelloWorld" and hello[-1]["level"] == "INFO"
        metrics = [r for r in records if "_aws" in r]
        assert any(r.get("HelloWorldInvocations") in ([1.0], 1.0) for r in metrics)


class TestEventBridge:
    """event-bridge: invoked with the EC2 state-change sample, the function logs "Instance i-abcd1111
    transitioned to pending" and returns the event with its detail-type marked."""

    APP = "sam-init-event-bridge"

    def test_invoke_with_the_sample_event(self, app):
        result = app.invoke("HelloWorldFunction", event(self.APP, "event.json"))
        assert result["error"] is None, result["error"]
        assert "Instance i-abcd1111 transitioned to pending" in result["logs"]
        assert (
            result["payload"]["detail-type"]
            == "HelloWorldFunction updated event of EC2 Instance State-change Notification"
        )


class TestStepFunc:
    """step-func: an execution checks a stock price, buys or sells, and records the transaction in the table
    (the template's integration test; its hourly schedule is disabled)."""

    APP = "sam-init-step-func"

    def run(self, app, sfn, execution_arn: str) -> dict:
        # a passing run takes a second or two; a failing check is retried every 15 s (its Retry)
        done = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=execution_arn))["status"] != "RUNNING" and d, 10
        )
        assert done["status"] == "SUCCEEDED", f"{done.get('error')}: {done.get('cause')}"
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        entered = [e for e in events if e["type"] == "TaskStateEntered"
                   and e["stateEnteredEventDetails"]["name"] == "Record Transaction"]  # fmt: skip
        return json.loads(entered[0]["stateEnteredEventDetails"]["input"])

    @pytest.mark.timeout(60)
    def test_an_execution_records_the_transaction(self, app):
        sfn = app.aws("stepfunctions")
        machine = app.outputs["StockTradingStateMachineArn"]
        started = sfn.start_execution(stateMachineArn=machine, name=f"integ-test-{uuid.uuid4()}", input="{}")
        recorded = self.run(app, sfn, started["executionArn"])
        item = app.aws("dynamodb").get_item(TableName=app.ref("TransactionTable"), Key={"Id": {"S": recorded["id"]}})[
            "Item"
        ]
        assert item["Quantity"] == {"N": recorded["qty"]} and item["Type"] == {"S": recorded["type"]}
