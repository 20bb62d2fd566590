"""Direct AWS integrations (Kinesis PutRecord, SQS SendMessage) and mock integrations, with VTL mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from localcloud.gateway.vtl import Input, TemplateError, json_path, render, render_response
from tests.localcloud.fixtures.gateway.support import (
    FakeFunctions,
    api_id,
    deployment_from_sam,
    header,
    make_gateway,
    request,
)
from tests.localcloud.test_gateway_auth import aws, moto_url  # noqa: F401 (module fixtures)

TEMPLATES = Path(__file__).parent / "templates"
API = api_id("IngestApi")


@pytest.fixture(scope="module")
def resources(aws):  # noqa: F811
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName="views", ShardCount=1)
    queue_url = aws("sqs").create_queue(QueueName="messages")["QueueUrl"]
    return {"stream": "views", "queue": "messages", "queue_url": queue_url}


@pytest.fixture
def gw(tmp_path, moto_url, aws, resources):  # noqa: F811
    deployment = deployment_from_sam(
        tmp_path,
        (TEMPLATES / "gateway_integrations.yaml").read_text(),
        aws_endpoint=moto_url,
        params={"StreamName": resources["stream"], "QueueName": resources["queue"], "QueueUrl": resources["queue_url"]},
    )
    return make_gateway(deployment, FakeFunctions(), aws)


def drain(aws, queue_url):  # noqa: F811
    sqs = aws("sqs")
    out = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
    )
    for m in out.get("Messages", []):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return out.get("Messages", [])


def test_kinesis_put_record_through_a_vtl_template(gw, aws, resources):  # noqa: F811
    resp = gw.handle(
        request("POST", f"/{API}/v1/views", body='{"page": "/posts/1"}', headers={"Content-Type": "application/json"})
    )
    assert resp.status == 202, resp.body
    answer = json.loads(resp.body)
    assert answer["shard"].startswith("shardId-") and answer["sequence"]
    kinesis = aws("kinesis")
    shard = kinesis.describe_stream(StreamName="views")["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName="views", ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert json.loads(records[-1]["Data"]) == {"page": "/posts/1"}
    assert records[-1]["PartitionKey"] == "10.1.2.3"


def test_kinesis_error_goes_through_the_error_selection_pattern(tmp_path, moto_url, aws, resources):  # noqa: F811
    deployment = deployment_from_sam(
        tmp_path,
        (TEMPLATES / "gateway_integrations.yaml").read_text(),
        aws_endpoint=moto_url,
        params={"StreamName": "no-such-stream", "QueueName": "messages", "QueueUrl": resources["queue_url"]},
    )
    gw = make_gateway(deployment, FakeFunctions(), aws)
    resp = gw.handle(request("POST", f"/{API}/v1/views", body="{}", headers={"Content-Type": "application/json"}))
    assert resp.status == 400
    assert json.loads(resp.body) == {"message": "rejected"}


def test_sqs_send_message_by_path_with_a_form_template(gw, aws, resources):  # noqa: F811
    drain(aws, resources["queue_url"])
    resp = gw.handle(
        request(
            "POST",
            f"/{API}/v1/messages",
            body='{"hello": "wörld & more"}',
            headers={"Content-Type": "application/json", "X-User": "alice"},
        )
    )
    assert resp.status == 200, resp.body
    assert json.loads(resp.body) == {"ok": True}
    assert header(resp, "X-Queue") == "sqs"
    (message,) = drain(aws, resources["queue_url"])
    assert json.loads(message["Body"]) == {"hello": "wörld & more"}
    assert message["MessageAttributes"]["user"]["StringValue"] == "alice"


def test_sqs_send_message_action_passes_the_service_answer_through(gw, aws, resources):  # noqa: F811
    drain(aws, resources["queue_url"])
    resp = gw.handle(
        request("POST", f"/{API}/v1/actions", body="plain text body", headers={"Content-Type": "text/plain"})
    )
    assert resp.status == 200, resp.body
    assert b"MessageId" in resp.body
    (message,) = drain(aws, resources["queue_url"])
    assert message["Body"] == "plain text body"


def test_mock_integration_selects_responses_by_status(gw):
    ok = gw.handle(request("GET", f"/{API}/v1/mocked/7", query="q=say%20%22hi%22"))
    assert ok.status == 200
    assert json.loads(ok.body) == {"id": "7", "q": 'say "hi"', "src": "web", "stage": "v1"}
    missing = gw.handle(request("GET", f"/{API}/v1/mocked/404"))
    assert missing.status == 404
    assert json.loads(missing.body) == {"message": "no such thing"}


def test_vtl_helpers():
    inp = Input(
        b'{"a": {"b": [1, 2, {"c": "x"}]}, "s": "q\\"uote"}',
        {"path": {"id": "7"}, "querystring": {"q": "v"}, "header": {"X-H": "h"}},
    )
    ctx = {"requestId": "r1", "authorizer": {"claims": {"sub": "u1"}}, "identity": {"sourceIp": "1.2.3.4"}}
    out = render(
        "$input.json('$.a.b[2]')|$input.path('$.a.b').size()|$input.params('id')$input.params('q')$input.params('x-h')|"
        "$util.base64Encode('hi')|$util.base64Decode('aGk=')|$util.urlEncode('a b&c')|$util.urlDecode('a+b%26c')|"
        "$util.escapeJavaScript($input.path('$.s'))|$util.parseJson('{\"k\": 5}').k|$context.authorizer.claims.sub|"
        "$context.identity.sourceIp|$stageVariables.env|$input.body.length()",
        input=inp,
        context=ctx,
        stage_vars={"env": "dev"},
    )
    assert out.split("|") == [
        '{"c": "x"}',
        "3",
        "7vh",
        "aGk=",
        "hi",
        "a+b%26c",
        "a b&c",
        'q\\"uote',
        "5",
        "u1",
        "1.2.3.4",
        "dev",
        "48",
    ]


def test_json_path_subset():
    doc = {"a": [{"b": 1}, {"b": 2}], "k-y": {"z": None}}
    assert json_path(doc, "$") == doc
    assert json_path(doc, "$.a[1].b") == 2
    assert json_path(doc, "$['k-y']") == {"z": None}
    assert json_path(doc, "$.a[*].b") == [1, 2]
    assert json_path(doc, "$.missing") is None


def test_input_params_map_lists_every_kind():
    out = render(
        "#foreach($kind in $input.params().keySet())$kind=$input.params().get($kind).size();#end",
        input=Input(b"", {"path": {"a": "1"}, "querystring": {}, "header": {"h": "1", "i": "2"}}),
        context={},
        stage_vars={},
    )
    assert out == "path=1;querystring=0;header=2;"


def test_string_literals_take_velocitys_doubled_quotes():
    out = render(
        '#set($view = "{""slug"": ""$input.params(\'slug\')""}")$view|\'it\'\'s\'|'
        '$util.base64Decode($util.base64Encode("{""at"": $context.requestTimeEpoch}"))|#set($e = "")[$e]',
        input=Input(b"", {"path": {"slug": "hello"}, "querystring": {}, "header": {}}),
        context={"requestTimeEpoch": 7},
        stage_vars={},
    )
    assert out == '{"slug": "hello"}|\'it\'\'s\'|{"at": 7}|[]'  # plain text keeps its quotes as written


def test_strings_have_javas_methods_with_javas_meaning():
    def run(template: str, slug: str) -> str:
        params = {"path": {"slug": slug}, "querystring": {}, "header": {}}
        return render(template, input=Input(b"", params), context={}, stage_vars={})

    matches = "#if($input.params('slug').matches(\"[a-z0-9]+(-[a-z0-9]+)*\"))yes#{else}no#end"
    assert [run(matches, s) for s in ("a-b1", "a-b-", "-a", "A", "ab/c", "")] == ["yes", "no", "no", "no", "no", "no"]
    methods = (
        "#set($s = $input.params('slug'))$s.substring(1, 3)|$s.substring(2)|$s.indexOf('c')|$s.endsWith('de')|"
        "$s.toUpperCase()|$s.toLowerCase()|$s.isEmpty()|$s.equals('aBcde')|[$input.params('x').trim()]"
    )
    assert run(methods, "aBcde") == "Bc|cde|2|true|ABCDE|abcde|false|true|[]"
    with pytest.raises(TemplateError, match="out of range"):
        run("$input.params('slug').substring(0, 9)", "short")


def test_a_reference_is_evaluated_once_and_a_boolean_renders_as_in_java():
    out = render(
        "#set($seen = [])$!seen.add(1)|$seen.size()|$input.path('$.on')|$input.path('$.off')|$!missing|$missing",
        input=Input(b'{"on": true, "off": false}'),
        context={},
        stage_vars={},
    )
    assert out == "|1|true|false||$missing"


def test_response_template_overrides_status_and_headers():
    body, status, headers = render_response(
        "#set($root = $input.path('$'))#if($root.toString().contains(\"error\"))"
        "#set($context.responseOverride.status = 400)#set($context.responseOverride.header.why = 'bad')"
        "#set($root.body = \"changed\")#end$input.json('$')",
        input=Input(b'{"statuscode": 200, "body": "error1"}'),
        context={},
        stage_vars={},
    )
    assert (json.loads(body), status, headers) == ({"statuscode": 200, "body": "changed"}, 400, {"why": "bad"})
    plain = render_response("$input.json('$')", input=Input(b'{"ok": 1}'), context={}, stage_vars={})
    assert plain == ('{"ok": 1}', None, {})


def test_http_api_first_class_integrations_answer_as_the_service(tmp_path, moto_url, aws, resources):  # noqa: F811
    sfn = aws("stepfunctions")
    machine = sfn.create_state_machine(
        name="echo", roleArn="arn:aws:iam::123456789012:role/r", type="EXPRESS",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]  # fmt: skip
    deployment = deployment_from_sam(
        tmp_path,
        f"""
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Api:
            Type: AWS::Serverless::HttpApi
            Properties:
              DefinitionBody:
                openapi: "3.0.1"
                info: {{title: t, version: "1"}}
                paths:
                  /send/{{group}}:
                    post:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        integrationSubtype: SQS-SendMessage
                        payloadFormatVersion: "1.0"
                        credentials: arn:aws:iam::123456789012:role/api
                        requestParameters:
                          QueueUrl: {resources["queue_url"]}
                          MessageBody: $request.body
                  /run:
                    post:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        integrationSubtype: StepFunctions-StartExecution
                        payloadFormatVersion: "1.0"
                        credentials: arn:aws:iam::123456789012:role/api
                        requestParameters:
                          StateMachineArn: {machine}
                          Input: $request.body
                  /kinesis:
                    post:
                      x-amazon-apigateway-integration:
                        type: aws_proxy
                        integrationSubtype: Kinesis-PutRecord
                        payloadFormatVersion: "1.0"
                        requestParameters: {{StreamName: views, Data: $request.body, PartitionKey: k}}
        """,
        aws_endpoint=moto_url,
    )
    gw = make_gateway(deployment, FakeFunctions(), aws)
    sent = gw.handle(request("POST", f"/{api_id('Api')}/send/g1", body='{"n": 1}'))
    assert sent.status == 200 and b"<SendMessageResponse" in sent.body and b"<MessageId>" in sent.body
    assert [m["Body"] for m in drain(aws, resources["queue_url"])] == ['{"n": 1}']
    ran = gw.handle(request("POST", f"/{api_id('Api')}/run", body='{"hello": "world"}'))
    assert ran.status == 200, ran.body
    execution = sfn.describe_execution(executionArn=json.loads(ran.body)["executionArn"])
    assert execution["stateMachineArn"] == machine and json.loads(execution["input"]) == {"hello": "world"}
    refused = gw.handle(request("POST", f"/{api_id('Api')}/kinesis", body="x"))
    assert refused.status == 500 and "Kinesis-PutRecord is not emulated" in header(refused, "x-localcloud-reason")
