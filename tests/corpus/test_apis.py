"""Corpus: API Gateway fronts (serverless-patterns), driven as their READMEs say: curl the stage URL (with
the basic-auth credentials read from Secrets Manager where the README says so), then look where it says the
request lands (the response, the DynamoDB table, the dead-letter queue, the consumer's log)."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
import requests

from tests.corpus.support import wait_for

pytestmark = pytest.mark.localcloud


def basic_auth(app, username_secret: str, password_secret: str) -> str:
    """The Authorization header the README builds from the two generated secrets."""
    secrets = app.aws("secretsmanager")
    username = json.loads(secrets.get_secret_value(SecretId=username_secret)["SecretString"])["UserName"]
    password = json.loads(secrets.get_secret_value(SecretId=password_secret)["SecretString"])["Password"]
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class TestHttpApiLambda:
    """apigw-http-api-lambda-python: curl the HTTP API's invoke URL; the function's InlineCode answers."""

    APP = "apigw-http-api-lambda-python"

    def test_get_answers_hello(self, app):
        response = requests.get(app.api_url("ServerlessHttpApi") + "/", timeout=10)
        assert response.status_code == 200
        assert response.text == "Hello World! This is the HTTP API"


class TestMappingTemplate:
    """apigw-mappingtemplate-lambda: POST the stage URL; the integration response template overrides the
    function's 200 into a 400 with statuscode 650 and body "changed"."""

    APP = "apigw-mappingtemplate-lambda"

    def test_response_template_overrides_status_and_body(self, app):
        response = requests.post(app.outputs["API"] + "/", timeout=10)
        assert response.status_code == 400
        assert response.json() == {"statuscode": 650, "body": "changed"}


class TestApiLambdaDynamoStream:
    """apigw-lambda-dynamodb-stream-lambda: POST an item; the producer writes it to the table and the
    stream consumer logs the INSERT record (the README has no testing section: this is its one path)."""

    APP = "apigw-lambda-dynamodb-stream-lambda"

    def test_posted_item_is_stored_and_streamed(self, app):
        item = {"id": uuid.uuid4().hex, "name": "widget", "description": "a test item", "customer": "ana"}
        response = requests.post(app.outputs["EndpointUrl"] + "/", json=item, timeout=10)
        assert response.status_code == 200
        assert response.text == "Successfully inserted data!"
        stored = app.aws("dynamodb").get_item(TableName="DemoStreamDynamoDBToLambda", Key={"id": {"S": item["id"]}})
        assert stored["Item"]["customer"] == {"S": "ana"}
        assert app.wait_idle()
        logged = wait_for(lambda: [ln for ln in app.log_lines("ConsumerFunction") if item["id"] in ln])
        assert logged and "INSERT" in logged[0]


class TestApiSqsLambdaDynamo:
    """apigw-sqs-lambda-ddb: POST /submit with basic auth; the HTTP API's SQS-SendMessage integration
    answers the SendMessage XML, the consumer stores the JSON in EventTable, and a non-JSON body ends up in
    the dead-letter queue after the queue's five receives."""

    APP = "apigw-sqs-lambda-ddb"

    def test_submitted_event_is_stored(self, app):
        auth = basic_auth(app, "endpoint/username", "endpoint/password")
        event = {"eventId": str(uuid.uuid4()), "message": "Sample message for testing"}
        url = app.outputs["HttpApiEndpoint"] + "/submit"
        response = requests.post(url, json=event, headers={"Authorization": auth}, timeout=10)
        assert response.status_code == 200
        assert "<SendMessageResponse" in response.text and "<MessageId>" in response.text
        assert app.wait_idle()
        stored = app.aws("dynamodb").get_item(TableName="EventTable", Key={"eventId": {"S": event["eventId"]}})
        assert stored["Item"]["message"] == {"S": event["message"]}

    def test_wrong_credentials_are_refused(self, app):
        url = app.outputs["HttpApiEndpoint"] + "/submit"
        response = requests.post(url, json={"eventId": "x"}, headers={"Authorization": "Basic bm86bm8="}, timeout=10)
        assert response.status_code == 403

    @pytest.mark.slow  # five receives, 30 s of visibility timeout each: about 150 s, as on AWS
    @pytest.mark.timeout(240)
    def test_non_json_message_reaches_the_dead_letter_queue(self, app):
        auth = basic_auth(app, "endpoint/username", "endpoint/password")
        url = app.outputs["HttpApiEndpoint"] + "/submit"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        assert requests.post(url, data="Test Message", headers=headers, timeout=10).status_code == 200
        sqs = app.aws("sqs")
        dlq = sqs.get_queue_url(QueueName="DeadLetterQueue")["QueueUrl"]
        received = wait_for(lambda: sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1).get("Messages"), 200)
        assert received and received[0]["Body"] == "Test Message"


class TestApiKinesisLambdaDynamo:
    """apigw-kinesis-lambda-ddb: POST /prod/submit/GatewayEventsStream/<eventId> with basic auth; the REST
    API's Kinesis PutRecord integration feeds the stream and the consumer stores the payload in EventTable."""

    APP = "apigw-kinesis-lambda-ddb"

    def test_submitted_event_is_stored(self, app):
        auth = basic_auth(app, "gateway/username", "gateway/password")
        event_id = str(uuid.uuid4())
        url = f"{app.outputs['RestApiEndpoint']}/prod/submit/GatewayEventsStream/{event_id}"
        body = {"eventId": event_id, "message": "event message for testing"}
        response = requests.post(url, json=body, headers={"Authorization": auth}, timeout=10)
        assert response.status_code == 200, response.text
        assert set(response.json()) >= {"SequenceNumber", "ShardId"}
        assert app.wait_idle()
        table = app.aws("dynamodb")
        stored = wait_for(lambda: table.get_item(TableName="EventTable", Key={"eventId": {"S": event_id}}).get("Item"))
        assert stored["message"] == {"S": body["message"]}

    def test_wrong_credentials_are_refused(self, app):
        url = f"{app.outputs['RestApiEndpoint']}/prod/submit/GatewayEventsStream/x"
        response = requests.post(url, json={}, headers={"Authorization": "Basic bm86bm8="}, timeout=10)
        assert response.status_code == 403
