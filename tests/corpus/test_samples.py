"""Corpus: aws-samples/serverless-test-samples (python-test-samples). Their integration tests find the
stack by AWS_SAM_STACK_NAME and drive it from outside; these drives do what those tests do (seed, send,
poll the result) against the app on localcloud, without their 60 s purge waits."""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from tests.corpus.support import APPS, wait_for

pytestmark = pytest.mark.localcloud


class TestApiLambdaDynamo:
    """apigw-lambda-dynamodb: seed a NAME# record, GET /hello/{id}: 200 "Hello <name>!" and a DT# message
    record in the table; an unknown id is a 404."""

    APP = "test-samples-apigw-lambda-dynamodb"

    def test_known_id_is_greeted_and_recorded(self, app):
        table = app.outputs["DynamoDBTableName"]
        person = "TEST001_" + uuid.uuid4().hex
        dynamodb = app.aws("dynamodb")
        dynamodb.put_item(TableName=table, Item={"PK": {"S": person}, "SK": {"S": "NAME#"},
                                                 "data": {"S": "Unit Test Name Data"}})  # fmt: skip
        response = requests.get(app.outputs["HelloPersonApi"].replace("{id}", person), timeout=30)
        assert response.status_code == 200, response.text
        assert response.text == "Hello Unit Test Name Data!"
        records = dynamodb.query(TableName=table, KeyConditionExpression="PK = :p", ExpressionAttributeValues={
            ":p": {"S": person}})["Items"]  # fmt: skip
        assert sorted(r["SK"]["S"][:3] for r in records) == ["DT#", "NAM"]

    def test_unknown_id_is_404(self, app):
        response = requests.get(
            app.outputs["HelloPersonApi"].replace("{id}", "TEST002_" + uuid.uuid4().hex), timeout=30
        )
        assert response.status_code == 404
        assert response.text.startswith("NOTFOUND: Name Not Found for ID TEST002_")


class TestApiLambdaLayer:
    """apigw-lambda-layer: GET /hello/lambda/layers; the function calls its code layer, which lists the
    account's buckets, and answers them joined by "|" (its schema layer validates the response)."""

    APP = "test-samples-apigw-lambda-layer"

    def test_the_layers_answer_the_bucket_list(self, app):
        s3 = app.aws("s3")
        names = sorted(f"layer-test-{uuid.uuid4().hex[:8]}" for _ in range(2))
        for name in names:
            s3.create_bucket(Bucket=name)
        response = requests.get(app.outputs["HelloWorldApi"], timeout=30)
        assert response.status_code == 200, response.text
        assert set(names) <= set(response.text.split("|"))
        logs = app.log_lines("PythonTestDemo")
        assert "Hello logfile!" in logs and "Hello layer!" in logs


class TestApiSqsLambdaSqs:
    """apigw-sqs-lambda-sqs: POST /inbox puts the test message on the input queue; the processor forwards it
    to the output queue, and the test-result writer records it with the queue's name; a MALFORMED_MASSAGE
    fails, goes to the input DLQ after one receive, and is recorded with the DLQ's name."""

    APP = "test-samples-apigw-sqs-lambda-sqs"

    def result(self, app, message_id: str) -> dict | None:
        item = app.aws("dynamodb").get_item(TableName=app.outputs["DynamoDBTableName"], Key={"id": {"S": message_id}})
        return item.get("Item")

    @pytest.mark.parametrize("scenario", ["positive", "false_positive"])
    def test_a_message_reaches_the_output_queue(self, app, scenario):
        message = {"id": f"TEST_{scenario}_{uuid.uuid4().hex}", "message": f"This is a test_{scenario}_scenario",
                   "type": "TEST"}  # fmt: skip
        response = requests.post(app.outputs["APIGatewayInputEndPoint"], json=message, timeout=10)
        assert response.status_code == 200, response.text
        item = wait_for(lambda: self.result(app, message["id"]), 10)
        assert item["Message"] == {"S": message["message"]}
        assert item["Queue_Name"] == {"S": app.outputs["SQSOutputQueue"].split("/")[-1]}

    @pytest.mark.timeout(60)
    def test_an_exception_sends_the_message_to_the_dlq(self, app):
        text = "MALFORMED_MASSAGE - this is a test_exception_scenario"
        message = {"id": f"TEST003_{uuid.uuid4().hex}", "message": text, "type": "TEST"}
        assert requests.post(app.outputs["APIGatewayInputEndPoint"], json=message, timeout=10).status_code == 200
        item = wait_for(lambda: self.result(app, message["id"]), 30)  # visibility timeout 5 s, maxReceiveCount 1
        assert item["Queue_Name"] == {"S": app.outputs["SQSInputQueueDLQ"].split("/")[-1]}


class TestAsyncLambdaDynamo:
    """async-lambda-dynamodb: put a text file in the source bucket; the transformer writes it uppercased to
    the destination bucket, where the test listener records it in the results table the test polls.
    The bucket names derive from the stack name, so the stack name must be lowercase."""

    APP = "test-samples-async-lambda-dynamodb"
    STACK = "async-lambda-dynamodb"  # its folder upstream; with ours the destination bucket's name is 65 long

    @pytest.mark.timeout(60)
    def test_an_uploaded_text_is_uppercased(self, app):
        assert app.outputs["SourceBucketName"] == "async-source-async-lambda-dynamodb-123456789012"
        key = f"{uuid.uuid4()}.txt"
        app.aws("s3").put_object(Bucket=app.outputs["SourceBucketName"], Key=key, Body=b"I am a test message")
        table = app.outputs["AsyncTransformTestResultsTable"]
        dynamodb = app.aws("dynamodb")
        item = wait_for(lambda: dynamodb.get_item(TableName=table, Key={"id": {"S": key}}).get("Item"), 30)
        assert item["message"] == {"S": "I AM A TEST MESSAGE"}
        stored = app.aws("s3").get_object(Bucket=app.outputs["DestinationBucketName"], Key=key)["Body"].read()
        assert stored == b"I AM A TEST MESSAGE"


class TestKinesisLambdaDynamo:
    """kinesis-lambda-dynamodb: records {batch, id} put on RecordsStream (two shards) are written to the
    table as {PK: batch, SK: id}, whatever the batch sizes."""

    APP = "test-samples-kinesis-lambda-dynamodb"

    @pytest.mark.timeout(60)
    def test_every_record_of_a_batch_is_stored(self, app):
        batch = str(uuid.uuid4())
        ids = [str(uuid.uuid4()) for _ in range(30)]
        kinesis = app.aws("kinesis")
        for i, record_id in enumerate(ids):
            data = json.dumps({"batch": batch, "id": record_id})
            kinesis.put_record(StreamName="RecordsStream", Data=data.encode(), PartitionKey=str(i))
        assert app.wait_idle(30)
        table, dynamodb = app.outputs["DynamoDBTableName"], app.aws("dynamodb")

        def stored() -> list[str]:
            query = {"TableName": table, "KeyConditionExpression": "PK = :b", "ExpressionAttributeValues": {
                ":b": {"S": batch}}}  # fmt: skip
            return [item["SK"]["S"] for item in dynamodb.query(**query)["Items"]]

        assert sorted(wait_for(lambda: len(stored()) == len(ids) and stored(), 20) or stored()) == sorted(ids)


class TestStepFunctionsLambdas:
    """step-functions-local-lambda: the sum function adds x, y and z and the square function squares a
    result; the state machine runs sum, waits 3 s and runs square, every state exiting."""

    APP = "test-samples-step-functions-local-lambda"
    INPUTS = APPS / APP / "statemachine" / "test"

    def inputs(self, name: str) -> dict:
        return json.loads((self.INPUTS / f"{name}.json").read_text())

    def test_sum_and_square_functions(self, app):
        assert app.invoke("StepFunctionExampleSumLambda", self.inputs("valid_input_lambda_sum"))["payload"] == {
            "Payload": {"result": 60}}  # fmt: skip
        assert app.invoke("StepFunctionExampleSquareLambda", self.inputs("valid_input_lambda_square"))["payload"] == {
            "Payload": {"result": 81}}  # fmt: skip

    def test_sum_through_the_lambda_client(self, app):
        response = app.aws("lambda").invoke(
            FunctionName="StepFunctionExampleSumLambda", Payload=json.dumps(self.inputs("valid_input_lambda_sum"))
        )
        assert json.loads(response["Payload"].read()) == {"Payload": {"result": 60}}

    @pytest.mark.timeout(60)
    @pytest.mark.parametrize(
        "name", ["valid_input_stepfunctions_sum_square", "valid_input_stepfunctions_large_numbers"]
    )
    def test_the_workflow_exits_every_state(self, app, name):
        sfn = app.aws("stepfunctions")
        started = sfn.start_execution(stateMachineArn=app.ref("StepFunctionsLambdaStateMachine"),
                                      input=json.dumps(self.inputs(name)))  # fmt: skip
        done = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=started["executionArn"]))["status"] != "RUNNING" and d, 30
        )
        assert done["status"] == "SUCCEEDED", f"{done.get('error')}: {done.get('cause')}"
        events = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
        exited = [e["stateExitedEventDetails"]["name"] for e in events if "stateExitedEventDetails" in e]
        assert exited == ["Lambda Sum State", "Wait State", "Lambda Square State"]

    @pytest.mark.xfail(
        strict=True,
        reason="the app's definition hands the square function {'Payload': {'result': n}} (InputPath "
        "$.Payload over the sum's ResultPath $.Payload) and the function reads event['result']: it squares 0, "
        "on AWS too, not the sum the README expects",
    )
    @pytest.mark.timeout(60)
    def test_the_final_result_is_the_square_of_the_sum(self, app):
        sfn = app.aws("stepfunctions")
        numbers = self.inputs("valid_input_stepfunctions_sum_square")
        started = sfn.start_execution(
            stateMachineArn=app.ref("StepFunctionsLambdaStateMachine"), input=json.dumps(numbers)
        )
        done = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=started["executionArn"]))["status"] != "RUNNING" and d, 30
        )
        result = json.loads(done.get("output") or "{}").get("Payload", {}).get("Payload", {}).get("result")
        assert result == sum(numbers.values()) ** 2
