"""Corpus: EventBridge rules, buses and schedules (serverless-patterns). A schedule's README says to wait
for it ("every minute"); locally `localcloud schedule fire` fires it now, and the check is the log line
or the message the README says to look for."""

from __future__ import annotations

import datetime
import json

import pytest

from tests.corpus.support import wait_for

pytestmark = pytest.mark.localcloud


def fire(app, schedule: str) -> dict:
    """What `localcloud schedule fire <schedule>` does."""
    return app.control("schedule-fire", schedule=schedule)


class TestScheduledLambda:
    """eventbridge-scheduled-lambda: a rate(1 minute) Schedule event; the function logs "Hello World"."""

    APP = "eventbridge-scheduled-lambda"

    def test_each_firing_logs_hello_world(self, app):
        fire(app, "ScheduledFunctionScheduledFunction")
        fire(app, "ScheduledFunctionScheduledFunction")
        assert app.wait_idle()
        assert wait_for(lambda: app.log_lines("ScheduledFunction").count("Hello World") == 2)


class TestSchedulerLambdaDlq:
    """eventbridge-schedule-to-lambda-dlq-sam-python: an AWS::Scheduler::Schedule (rate 5 minutes) invokes
    the function, which logs its run; with SIMULATE_FAILURE=true (update-function-configuration) Lambda's
    async retries end in the Lambda execution DLQ."""

    APP = "eventbridge-schedule-to-lambda-dlq-sam-python"

    def test_the_schedule_runs_the_function(self, app):
        fire(app, "EventSchedule")
        assert app.wait_idle()
        lines = wait_for(lambda: [ln for ln in app.log_lines("ScheduledFunction") if "Completed Successfully" in ln])
        assert lines
        assert any(
            "Scheduled function invoked by EventBridge Scheduler" in ln for ln in app.log_lines("ScheduledFunction")
        )

    @pytest.mark.timeout(120)
    def test_a_failing_run_ends_in_the_lambda_dlq(self, app):
        lam = app.aws("lambda")
        lam.update_function_configuration(
            FunctionName=app.outputs["ScheduledFunctionName"],
            Environment={"Variables": {"LOG_LEVEL": "INFO", "SIMULATE_FAILURE": "true"}},
        )
        config = lam.get_function_configuration(FunctionName=app.outputs["ScheduledFunctionName"])
        assert config["Environment"]["Variables"]["SIMULATE_FAILURE"] == "true"
        fire(app, "EventSchedule")
        sqs = app.aws("sqs")
        received = wait_for(
            lambda: sqs.receive_message(QueueUrl=app.outputs["LambdaExecutionDLQUrl"], WaitTimeSeconds=1).get(
                "Messages"
            ),
            90,
        )
        assert received


class TestEventBridgeSnsLambda:
    """eventbridge-sns-lambda: an EC2 instance state change matches the rule, whose SNS target feeds the
    function, which logs the SNS event."""

    APP = "eventbridge-sns-lambda"

    def test_an_instance_state_change_reaches_the_function(self, app):
        ec2 = app.aws("ec2")
        instance = ec2.run_instances(ImageId="ami-03cf127a", MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
        ec2.stop_instances(InstanceIds=[instance])
        assert app.wait_idle()
        logged = wait_for(lambda: len(_states(app.log_lines("LambdaFunction"), instance)) == 4, 10)
        assert logged
        # one invocation per event, run concurrently: the order they log in is not the order they were sent
        states = _states(app.log_lines("LambdaFunction"), instance)
        assert sorted(states) == ["pending", "running", "stopped", "stopping"]


def _states(lines: list[str], instance: str) -> list[str]:
    """The instance states in the EventBridge events the function logged (each inside an SNS message)."""
    states = []
    for line in lines:
        start = line.find('{"Records"')
        if instance not in line or start < 0:
            continue
        for record in json.loads(line[start:])["Records"]:
            event = json.loads(record["Sns"]["Message"])
            assert event["source"] == "aws.ec2" and event["detail-type"] == "EC2 Instance State-change Notification"
            states.append(event["detail"]["state"])
    return states


class TestBusesToTopics:
    """lambda-eventbridge-sns-sam: bank transactions put on each bank's bus; every one reaches the bank's
    own topic, and the reportable ones (bop_reportable Yes) the reserve bank's topic too."""

    APP = "lambda-eventbridge-sns-sam"

    def test_each_bus_routes_to_its_bank_and_reportable_ones_to_the_reserve_bank(self, app):
        events = app.aws("events")
        banks = ("BlueBank", "RedBank", "GreenBank")
        for bank in banks:
            for reportable in ("Yes", "No"):
                detail = {"transaction_value": "1,800", "customer_name": "John Smith", "bop_reportable": reportable,
                          "bank": bank}  # fmt: skip
                entry = {"Source": "atm.events", "DetailType": "Bank transaction", "Detail": json.dumps(detail),
                         "EventBusName": app.outputs[f"{bank}BusARN"]}  # fmt: skip
                assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0
        assert app.wait_idle()
        for bank in banks:
            got = wait_for(lambda bank=bank: app.published(app.outputs[f"{bank}TopicName"]))
            assert sorted(m["detail"]["bop_reportable"] for m in got) == ["No", "Yes"]
            assert {m["detail"]["bank"] for m in got} == {bank}
        reserve = app.outputs["ReserveBankTopicName"]
        reserved = wait_for(lambda: len(app.published(reserve)) >= len(banks) and app.published(reserve))
        assert sorted(m["detail"]["bank"] for m in reserved) == sorted(banks)
        assert {m["detail"]["bop_reportable"] for m in reserved} == {"Yes"}

    def test_the_generator_function_answers_when_invoked(self, app):
        response = app.aws("lambda").invoke(FunctionName=app.outputs["Lambdafunction"])
        assert json.loads(response["Payload"].read())["statusCode"] == 200


class TestStepFunctionsCreatesSchedule:
    """stepfunctions-eventbridge-schedule-sam-python: an execution with {scheduleDate, scheduleTime} creates
    a one-time schedule in MySchedulesGroup (aws-sdk:scheduler:createSchedule); at that time it invokes the
    function with the execution's id and date."""

    APP = "stepfunctions-eventbridge-schedule-sam-python"

    @pytest.mark.timeout(60)
    def test_the_one_time_schedule_invokes_the_function(self, app):
        at = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(seconds=3)
        sfn = app.aws("stepfunctions")
        machine = app.ref("CreateScheduleStateMachine")
        started = sfn.start_execution(
            stateMachineArn=machine, name="in-three-seconds",
            input=json.dumps({"scheduleDate": at.strftime("%Y-%m-%d"), "scheduleTime": at.strftime("%H:%M:%S")}),
        )  # fmt: skip
        done = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=started["executionArn"]))["status"] != "RUNNING" and d
        )
        assert done["status"] == "SUCCEEDED", f"{done.get('error')}: {done.get('cause')}"
        schedule = app.aws("scheduler").get_schedule(Name="schedule_in-three-seconds", GroupName="MySchedulesGroup")
        assert schedule["ScheduleExpression"] == f"at({at.strftime('%Y-%m-%dT%H:%M:%S')})"
        logged = wait_for(
            lambda: [ln for ln in app.log_lines("ScheduleTargetFunction") if "in-three-seconds" in ln], 20
        )
        assert logged and at.strftime("%H:%M:%S") in logged[0]
