"""The dev console over a runtime holding real EventLog, LogStore and Deployment objects."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

import boto3
import pytest
import requests
from aws_lambda_powertools import Logger
from moto import mock_aws

from localcloud.console import Console
from localcloud.model import ACCOUNT_ID, Deployment, EventLog, FunctionSpec, HttpRequest, LogStore, Resource
from localcloud.outbox import read_outbox
from localcloud.requestlog import RequestLog

HOST = "127.0.0.1:4567"
SCRIPT = "<script>alert(1)</script>"
READ_FN = "Todos/ReadTodosFunction"


def _deployment() -> Deployment:
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:todos-read"
    return Deployment(
        region="us-east-1",
        account_id=ACCOUNT_ID,
        aws_endpoint=f"http://{HOST}",
        resources=[
            Resource("Todos", "TodosTable", "AWS::DynamoDB::Table", {}, ref="todos-table"),
            Resource("", "SharedLayer", "AWS::Lambda::LayerVersion", {}, ref="arn:aws:lambda:layer:shared:1"),
            Resource("Identity", "UserPool", "AWS::Cognito::UserPool", {}, ref="us-east-1_AbC123"),
            Resource("Todos", "TodosApi", "AWS::ApiGateway::RestApi", {}, ref="abcdefghij"),
        ],
        functions={
            arn: FunctionSpec(
                address=READ_FN,
                name="todos-read",
                arn=arn,
                handler="handlers.read.handler",
                runtime="python3.13",
                code_dir=Path("/work/main/services/todos/src"),
                environment={"TABLE_NAME": "todos-table"},
                timeout=10,
                memory=256,
                reserved_concurrency=5,
            )
        },
    )


class FakeRuntime:
    def __init__(self):
        self.deployment = _deployment()
        self.events = EventLog()
        self.logs = LogStore()
        self.requests = RequestLog()
        self.mails: list[dict] = []
        self.resets = 0

    def outbox(self) -> list[dict]:
        return list(self.mails)

    def reset(self, users: bool = True) -> dict:
        self.resets += 1
        self.mails.clear()
        self.events.clear()
        self.logs.clear()
        return {}

    def endpoints(self) -> dict:
        return {
            "aws": f"http://{HOST}",
            "apis": {"Todos/TodosApi": f"http://{HOST}/abcdefghij/Prod"},
            "cognito": {"user_pool_id": "us-east-1_AbC123", "client_id": "client-4xyz"},
            "outputs": {"Todos": {"TodosApiUrl": f"http://{HOST}/abcdefghij/Prod"}},
            "console": f"http://{HOST}/_local",
        }


def _mail(mail_id: str, subject: str, **fields) -> dict:
    return {
        "id": mail_id,
        "time": 1_700_000_000.0,
        "source": "news@blog.example",
        "to": ["ann@reader.example"],
        "cc": [],
        "bcc": [],
        "subject": subject,
        "text": None,
        "html": None,
        "raw": None,
        "kind": "simple",
        **fields,
    }


@pytest.fixture
def runtime() -> FakeRuntime:
    return FakeRuntime()


@pytest.fixture
def console(runtime) -> Console:
    return Console(runtime)


def call(console: Console, path: str, method: str = "GET", headers=(), body: bytes = b""):
    path, _, query = path.partition("?")
    response = console.handle(HttpRequest(method, path, query, [("Host", HOST), *headers], body))
    return response.status, dict(response.headers), response.body.decode("utf-8")


def get_json(console: Console, path: str):
    status, headers, body = call(console, path)
    assert status == 200, body
    assert headers["Content-Type"] == "application/json"
    return json.loads(body)


def assert_inert(body: str) -> None:
    assert "<script" not in body.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_index_shows_endpoints_counts_and_links(console, runtime):
    runtime.mails.append(_mail("m1", "hi"))
    runtime.events.record("sqs", "send", "queue", {"a": 1})
    runtime.logs.append(READ_FN, "hello", "r1")
    runtime.logs.append(READ_FN, "again", "r1")

    status, headers, body = call(console, "/_local")

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert f'href="http://{HOST}/abcdefghij/Prod"' in body
    assert "us-east-1_AbC123" in body and "client-4xyz" in body
    assert re.search(r"Emails in the outbox</a></td><td>1<", body)
    assert re.search(r"Function log lines</a></td><td>2<", body)
    assert re.search(r"Resources</a></td><td>4<", body)
    for page in ("/_local/outbox", "/_local/events", "/_local/logs", "/_local/resources"):
        assert f'href="{page}"' in body
    assert call(console, "/_local/")[2] == body


def test_endpoint_values_are_escaped_and_only_http_urls_become_links(console, runtime):
    runtime.endpoints = lambda: {"weird": '"><img src=x onerror=alert(1)>', "js": "javascript:alert(1)"}

    body = call(console, "/_local")[2]

    assert "<img" not in body
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body
    assert 'href="javascript' not in body


def test_outbox_lists_newest_first_with_links(console, runtime):
    runtime.mails += [_mail("m1", "First"), _mail("m2", "Second", to=["bob@reader.example"], cc=["cat@reader.example"])]

    status, _, body = call(console, "/_local/outbox")

    assert status == 200
    assert body.index("Second") < body.index("First")
    assert '<a href="/_local/outbox/m2">Second</a>' in body
    assert "bob@reader.example, cat@reader.example" in body
    assert "news@blog.example" in body


def test_outbox_escapes_subjects(console, runtime):
    runtime.mails.append(_mail("m1", SCRIPT))

    assert_inert(call(console, "/_local/outbox")[2])


def test_message_page_shows_text_preformatted_and_html_sandboxed(console, runtime):
    html_body = f"<h1>Welcome</h1>{SCRIPT}<img src=x onerror=alert(2)>"
    runtime.mails.append(
        _mail("m1", f"Hi {SCRIPT}", text=f"Dear Ann,\n  {SCRIPT}\nbye", html=html_body, bcc=["hidden@reader.example"])
    )

    status, headers, body = call(console, "/_local/outbox/m1")

    assert status == 200
    assert_inert(body)
    assert "<img src=x" not in body
    assert "<pre>\nDear Ann,\n  &lt;script&gt;alert(1)&lt;/script&gt;\nbye</pre>" in body
    iframe = re.search(r"<iframe ([^>]*)>", body).group(1)
    assert 'sandbox=""' in iframe and "allow-scripts" not in iframe
    assert 'srcdoc="&lt;h1&gt;Welcome&lt;/h1&gt;&lt;script&gt;' in iframe
    assert "hidden@reader.example" in body
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]


def test_message_page_shows_raw_attachments_template_and_errors(console, runtime):
    runtime.mails.append(
        _mail(
            "m1",
            "raw",
            kind="raw",
            raw=f"Subject: raw\r\n\r\n{SCRIPT}",
            attachments=[{"filename": "<b>photo</b>.png", "content_type": "image/png", "size": 8}],
            template={"name": "Welcome", "data": '{"name": "Ann"}'},
            error="cannot render <template>",
        )
    )

    body = call(console, "/_local/outbox/m1")[2]
    source = call(console, "/_local/outbox/m1?view=source")[2]

    assert "&lt;b&gt;photo&lt;/b&gt;.png" in body
    assert "cannot render &lt;template&gt;" in body
    assert '"name": "Ann"' in body.replace("&quot;", '"')
    assert_inert(source)
    assert "Subject: raw" in source


def test_unknown_message_is_404(console, runtime):
    status, headers, body = call(console, "/_local/outbox/nope")

    assert status == 404
    assert headers["Content-Type"].startswith("text/html")
    assert "nope" in body


def test_events_newest_first_pretty_and_filtered(console, runtime):
    runtime.events.record("sqs", "send", "todos-queue", json.dumps({"todo": {"id": "t1"}}), message_id="abc")
    runtime.events.record("sns", "publish", "BlogEvents", {"type": "PostPublished", "data": {"title": SCRIPT}})
    runtime.events.record("sqs", "receive", "todos-queue", "plain text body")

    status, _, body = call(console, "/_local/events")

    assert status == 200
    assert_inert(body)
    assert body.index("plain text body") < body.index("PostPublished") < body.index("t1")
    assert "{\n  &quot;todo&quot;: {\n    &quot;id&quot;: &quot;t1&quot;\n  }\n}" in body
    assert "&quot;message_id&quot;: &quot;abc&quot;" in body
    assert "sqs (2)" in body and "sns (1)" in body

    filtered = call(console, "/_local/events?channel=sns")[2]
    assert "PostPublished" in filtered
    assert "todos-queue" not in filtered


def test_logs_index_lists_deployed_and_logging_functions(console, runtime):
    runtime.logs.append("Media/MakeThumbnails", "x", "r9")

    status, _, body = call(console, "/_local/logs")

    assert status == 200
    assert '<a href="/_local/logs/Media/MakeThumbnails">Media/MakeThumbnails</a>' in body
    assert '<a href="/_local/logs/Todos/ReadTodosFunction">Todos/ReadTodosFunction</a>' in body


def _powertools(level: str, message, request_id: str, **keys) -> str:
    record = {
        "level": level,
        "location": "handler:12",
        "message": message,
        "timestamp": "2025-01-01 10:00:00,123+0000",
        "service": "todos",
        "function_request_id": request_id,
        **keys,
    }
    return json.dumps(record)


def test_function_logs_pretty_print_powertools_and_keep_other_lines(console, runtime):
    runtime.logs.append(READ_FN, "START RequestId: r1 Version: $LATEST", "r1")
    runtime.logs.append(READ_FN, _powertools("INFO", "listed todos", "r1", count=3), "r1")
    runtime.logs.append(READ_FN, _powertools("ERROR", {"detail": SCRIPT}, "r2"), None)
    runtime.logs.append(READ_FN, f"print from handler {SCRIPT}", "r2")

    status, _, body = call(console, "/_local/logs/Todos/ReadTodosFunction")

    assert status == 200
    assert_inert(body)
    assert "START RequestId: r1 Version: $LATEST" in body
    assert '<span class="lvl lvl-info">INFO</span>' in body
    assert "2025-01-01 10:00:00,123+0000" in body
    assert "<pre>\nlisted todos</pre>" in body
    assert "&quot;count&quot;: 3" in body and "&quot;location&quot;: &quot;handler:12&quot;" in body
    assert '<span class="lvl lvl-error">ERROR</span>' in body
    assert body.index("listed todos") < body.index("&quot;detail&quot;")


def test_function_logs_filter_by_request_id_including_powertools_field(console, runtime):
    runtime.logs.append(READ_FN, "first request line", "r1")
    runtime.logs.append(READ_FN, _powertools("INFO", "second request json", "r2"), None)
    runtime.logs.append(READ_FN, "second request line", "r2")

    body = call(console, "/_local/logs/Todos%2FReadTodosFunction?request_id=r2")[2]

    assert "second request json" in body and "second request line" in body
    assert "first request line" not in body

    api = get_json(console, "/_local/api/logs/Todos/ReadTodosFunction?request_id=r2")
    assert [r["request_id"] for r in api] == ["r2", "r2"]
    assert api[0]["record"]["message"] == "second request json"
    assert api[1]["record"] is None and api[1]["line"] == "second request line"


def test_unknown_function_logs_is_404(console):
    assert call(console, "/_local/logs/Nope/Fn")[0] == 404
    assert call(console, "/_local/api/logs/Nope/Fn")[0] == 404
    assert get_json(console, "/_local/api/logs/Todos/ReadTodosFunction") == []


def test_resources_grouped_by_stack_with_functions(console, runtime):
    status, _, body = call(console, "/_local/resources")

    assert status == 200
    root, identity, todos = body.index("<h2>(root)</h2>"), body.index("<h2>Identity</h2>"), body.index("<h2>Todos</h2>")
    assert root < identity < todos
    assert body.index("SharedLayer") < identity < body.index("UserPool") < todos < body.index("TodosTable")
    assert "<td>TodosTable</td><td>AWS::DynamoDB::Table</td><td><code>todos-table</code></td>" in body
    assert '<a href="/_local/logs/Todos/ReadTodosFunction">' in body
    assert "handlers.read.handler" in body and "10 s, 256 MB" in body
    assert "TABLE_NAME" in body


def test_reset_get_is_405(console, runtime):
    status, headers, _ = call(console, "/_local/reset")

    assert status == 405
    assert headers["Allow"] == "POST"
    assert runtime.resets == 0


def test_reset_from_the_same_origin_resets_and_redirects(console, runtime):
    runtime.mails.append(_mail("m1", "x"))

    status, headers, _ = call(console, "/_local/reset", "POST", [("Origin", f"http://{HOST}")])

    assert status == 303
    assert headers["Location"] == "/_local"
    assert runtime.resets == 1
    assert runtime.mails == []


def test_reset_with_same_origin_referer(console, runtime):
    status, _, _ = call(console, "/_local/reset", "POST", [("Referer", f"http://{HOST}/_local/outbox")])

    assert status == 303
    assert runtime.resets == 1


def test_reset_with_the_form_token(console, runtime):
    token = re.search(r'name="token" value="([^"]+)"', call(console, "/_local")[2]).group(1)
    form = [("Content-Type", "application/x-www-form-urlencoded")]

    assert call(console, "/_local/reset", "POST", form, f"token={token}".encode())[0] == 303
    assert runtime.resets == 1


@pytest.mark.parametrize(
    "headers, body",
    [
        ([("Origin", "http://evil.example")], b""),
        ([("Referer", "http://evil.example/page")], b""),
        ([("Origin", "null")], b""),
        ([], b""),
        ([], b"token=wrong"),
    ],
)
def test_reset_refuses_cross_site_or_tokenless_posts(console, runtime, headers, body):
    status, _, page = call(console, "/_local/reset", "POST", headers, body)

    assert status == 403
    assert "Reset refused" in page
    assert runtime.resets == 0


def test_reset_refuses_a_foreign_host_name_even_when_origin_matches(console, runtime):
    request = HttpRequest(
        "POST", "/_local/reset", "", [("Host", "rebound.example:4567"), ("Origin", "http://rebound.example:4567")], b""
    )

    assert console.handle(request).status == 403
    assert runtime.resets == 0


def test_reset_accepts_localhost_and_ip_hosts(console, runtime):
    for host in ("localhost:4567", "192.168.1.20:4567", "[::1]:4567"):
        request = HttpRequest("POST", "/_local/reset", "", [("Host", host), ("Origin", f"http://{host}")], b"")
        assert console.handle(request).status == 303, host
    assert runtime.resets == 3


def test_json_twins(console, runtime):
    runtime.mails += [_mail("m1", "one"), _mail("m2", "two")]
    runtime.events.record("sqs", "send", "q", b"\xff\xfe binary")
    runtime.events.record("sns", "publish", "t", {"x": 1})

    assert [m["id"] for m in get_json(console, "/_local/api/outbox")] == ["m1", "m2"]
    assert get_json(console, "/_local/api/outbox/m2")["subject"] == "two"
    assert call(console, "/_local/api/outbox/zzz")[0] == 404
    events = get_json(console, "/_local/api/events")
    assert [e["channel"] for e in events] == ["sqs", "sns"]
    assert events[0]["body"] == {"base64": "//4gYmluYXJ5"}
    assert [e["name"] for e in get_json(console, "/_local/api/events?channel=sns")] == ["t"]
    assert get_json(console, "/_local/api/endpoints") == runtime.endpoints()
    assert get_json(console, "/_local/api/logs") == [{"function": READ_FN, "lines": 0}]

    resources = get_json(console, "/_local/api/resources")
    assert list(resources["stacks"]) == ["", "Identity", "Todos"]
    assert resources["stacks"]["Todos"][1] == {
        "address": "Todos/TodosTable",
        "stack": "Todos",
        "logical_id": "TodosTable",
        "type": "AWS::DynamoDB::Table",
        "ref": "todos-table",
        "attrs": {},
    }
    [function] = resources["functions"]
    assert (function["address"], function["code_dir"], function["reserved_concurrency"]) == (
        READ_FN,
        "/work/main/services/todos/src",
        5,
    )


@pytest.mark.parametrize("path", ["/_local/nope", "/_local/outbox/a/b", "/_local/api/nope", "/elsewhere", "/_localx"])
def test_unknown_paths_are_404_html(console, path):
    status, headers, body = call(console, path)

    assert status == 404
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "404" in body


def test_unknown_path_is_escaped_in_the_404_page(console):
    body = call(console, "/_local/%3Cscript%3Ealert(1)%3C/script%3E")[2]

    assert_inert(body)


@pytest.mark.parametrize("path", ["/_local", "/_local/outbox", "/_local/api/events"])
def test_write_methods_on_pages_are_405(console, path):
    status, headers, _ = call(console, path, "POST")

    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


def test_head_has_headers_and_no_body(console):
    status, headers, body = call(console, "/_local/outbox", "HEAD")

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == ""


def test_auto_refresh_is_opt_in(console):
    assert 'http-equiv="refresh"' not in call(console, "/_local/events")[2]
    assert '<meta http-equiv="refresh" content="5">' in call(console, "/_local/events?refresh=5")[2]
    assert 'http-equiv="refresh"' not in call(console, "/_local/events?refresh=x5")[2]


def test_console_shows_mail_sent_through_moto(monkeypatch, runtime):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        ses = boto3.client("ses", region_name="us-east-1")
        ses.verify_email_identity(EmailAddress="news@blog.example")
        ses.send_email(
            Source="news@blog.example",
            Destination={"ToAddresses": ["ann@reader.example"]},
            Message={"Subject": {"Data": f"Welcome {SCRIPT}"}, "Body": {"Html": {"Data": f"<p>Hi</p>{SCRIPT}"}}},
        )
        runtime.outbox = lambda: read_outbox(ACCOUNT_ID, "us-east-1")
        console = Console(runtime)

        listing = call(console, "/_local/outbox")[2]
        message_path = re.search(r'href="(/_local/outbox/[^"]+)"', listing).group(1)
        page = call(console, message_path)[2]

    assert_inert(listing)
    assert_inert(page)
    assert 'srcdoc="&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;' in page


def test_real_powertools_output_with_an_exception(console, runtime):
    stream = io.StringIO()
    logger = Logger(service="todos", logger_handler=logging.StreamHandler(stream))
    logger.append_keys(function_request_id="r7")
    logger.info("loaded", extra={"todo_id": "t1"})
    try:
        raise ValueError(f"bad todo {SCRIPT}")
    except ValueError:
        logger.exception("failed")
    for line in stream.getvalue().splitlines():
        runtime.logs.append(READ_FN, line, None)

    body = call(console, "/_local/logs/Todos/ReadTodosFunction?request_id=r7")[2]

    assert_inert(body)
    assert '<span class="lvl lvl-info">INFO</span>' in body and "<pre>\nloaded</pre>" in body
    assert "&quot;todo_id&quot;: &quot;t1&quot;" in body
    assert '<span class="lvl lvl-error">ERROR</span>' in body
    assert re.search(r'<pre class="err">\nTraceback \(most recent call last\):\n.*ValueError: bad todo', body, re.S)


def test_end_to_end_on_the_running_localcloud(localcloud):
    """Mail sent through the AWS endpoint shows up in the served console; a same-origin reset empties it."""
    http = requests.Session()
    ses = localcloud.aws("ses")
    ses.verify_email_identity(EmailAddress="news@blog.example")
    ses.send_email(
        Source="news@blog.example",
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": f"E2E {SCRIPT}"}, "Body": {"Text": {"Data": "served"}}},
    )
    console_url = localcloud.endpoints["console"]

    listing = http.get(f"{console_url}/outbox", timeout=10)
    [mail] = [m for m in http.get(f"{console_url}/api/outbox", timeout=10).json() if m["subject"].startswith("E2E")]
    page = http.get(f"{console_url}/outbox/{mail['id']}", timeout=10)
    resources = http.get(f"{console_url}/api/resources", timeout=10).json()

    assert listing.status_code == page.status_code == 200
    assert_inert(listing.text)
    assert "<pre>\nserved</pre>" in page.text
    assert any(r["type"] == "AWS::DynamoDB::Table" for rs in resources["stacks"].values() for r in rs)
    assert http.get(f"{console_url}/api/endpoints", timeout=10).json()["console"] == console_url

    reset = http.post(f"{console_url}/reset", headers={"Origin": localcloud.base}, allow_redirects=False, timeout=120)

    assert reset.status_code == 303
    assert http.get(f"{console_url}/api/outbox", timeout=10).json() == []


def _serve(runtime, method: str, path: str, status: int, *, api: str = "Todos/TodosApi", body: bytes = b"") -> str:
    """Record one request the way the gateway does, with one function call that logged a line."""
    from localcloud.model import HttpResponse, InvokeResult
    from localcloud.requestlog import note_call

    exchange = runtime.requests.open(f"gw-{len(runtime.requests.entries())}", method, path, "", [("Host", HOST)], body)
    exchange.api, exchange.stage = api, "v1"
    lambda_id = f"lambda-{exchange.id}"
    note_call(
        READ_FN, "integration", {"path": path, "body": SCRIPT}, InvokeResult(lambda_id, payload={"statusCode": status})
    )
    runtime.logs.append(READ_FN, f"handled {path} {SCRIPT}", lambda_id)
    runtime.logs.append(READ_FN, "another request's line", "lambda-other")
    runtime.requests.close(exchange, HttpResponse(status, [("Content-Type", "application/json")], b'{"ok": 1}'))
    return exchange.id


def test_request_log_lists_newest_first_and_filters_by_api_and_status(console, runtime):
    _serve(runtime, "GET", "/abc/v1/todos", 200)
    _serve(runtime, "POST", f"/abc/v1/todos/{SCRIPT}", 400)
    _serve(runtime, "GET", "/xyz/v1/posts", 500, api="Blog/BlogApi")

    status, _, body = call(console, "/_local/requests")

    assert status == 200
    assert_inert(body)
    assert body.index("/xyz/v1/posts") < body.index("/abc/v1/todos/&lt;script") < body.index("/abc/v1/todos</a>")
    assert '<a href="/_local/logs/Todos/ReadTodosFunction?request_id=lambda-gw-0">' in body
    assert "Todos/TodosApi (2)" in body and "Blog/BlogApi (1)" in body
    only_blog = call(console, "/_local/requests?api=Blog/BlogApi")[2]
    assert "/xyz/v1/posts" in only_blog and "/abc/v1/todos" not in only_blog
    errors = get_json(console, "/_local/api/requests?status=errors")
    assert [r["status"] for r in errors] == [400, 500]
    assert [r["status"] for r in get_json(console, "/_local/api/requests?status=4xx")] == [400]
    assert [r["path"] for r in get_json(console, "/_local/api/requests?api=Todos/TodosApi&status=200")] == [
        "/abc/v1/todos"
    ]


def test_a_request_page_shows_the_event_the_answer_the_response_and_only_its_log_lines(console, runtime):
    request_id = _serve(runtime, "POST", "/abc/v1/todos", 201, body=b'{"title": "<b>x</b>"}')

    status, _, body = call(console, f"/_local/requests/{request_id}")

    assert status == 200
    assert_inert(body)
    assert "Event (what the function received)" in body and "&quot;path&quot;: &quot;/abc/v1/todos&quot;" in body
    assert "&quot;statusCode&quot;: 201" in body
    assert "handled /abc/v1/todos" in body and "another request&#x27;s line" not in body
    assert "&lt;b&gt;x&lt;/b&gt;" in body
    detail = get_json(console, f"/_local/api/requests/{request_id}")
    assert detail["invocations"][0]["logs"][0]["line"].startswith("handled /abc/v1/todos")
    assert detail["response"]["body"] == '{"ok": 1}'
    assert call(console, "/_local/requests/nope")[0] == 404
    assert call(console, "/_local/api/requests/nope")[0] == 404


def test_data_user_actions_are_guarded_posts(console, runtime):
    path = "/_local/data/users/us-east-1_AbC123/disable"

    assert call(console, path)[0] == 405
    status, _, page = call(console, path, "POST", [("Origin", "https://evil.example")], b"username=ann")
    assert status == 403 and "Disable refused" in page
    status, _, page = call(console, path, "POST", [], b"username=ann&token=wrong")
    assert status == 403 and "missing or wrong token" in page


def test_outbox_search_by_word_field_and_phrase(console, runtime):
    runtime.mails += [
        _mail("m1", "Welcome aboard", text="Thanks for subscribing", to=["ann@reader.example"]),
        _mail("m2", "New post: Spring", html="<p>Read the <b>spring</b> issue</p>", to=["bob@reader.example"]),
        _mail("m3", "Receipt", source="billing@shop.example", text="Your order", cc=["ann@reader.example"]),
    ]

    def subjects(q: str) -> list[str]:
        return [m["subject"] for m in get_json(console, "/_local/api/outbox?" + urlencode({"q": q}))]

    assert subjects("spring") == ["New post: Spring"]
    assert subjects("to:ann@reader.example") == ["Welcome aboard", "Receipt"]  # cc counts as to
    assert subjects("from:billing") == ["Receipt"]
    assert subjects('subject:"new post"') == ["New post: Spring"]
    assert subjects("body:subscribing ann") == ["Welcome aboard"]
    assert subjects("body:receipt") == []
    page = call(console, "/_local/outbox?q=" + quote(f"{SCRIPT}"))[2]
    assert_inert(page)
    assert "Outbox (0 of 3)" in page and "No email matches." in page


def test_message_views_html_source_headers_and_eml_download(console, runtime):
    runtime.mails.append(
        _mail(
            "m1",
            "Hi",
            html=f"<p>Hi</p>{SCRIPT}",
            headers=[["From", "news@blog.example"], ["X-Evil", SCRIPT]],
            eml=f"From: news@blog.example\r\n\r\n{SCRIPT}",
            eml_reconstructed=True,
        )
    )

    html_source = call(console, "/_local/outbox/m1?view=html-source")[2]
    headers = call(console, "/_local/outbox/m1?view=headers")[2]
    source = call(console, "/_local/outbox/m1?view=source")[2]
    status, download, eml = call(console, "/_local/outbox/m1/eml")

    for page in (html_source, headers, source):
        assert_inert(page)
    assert "&lt;p&gt;Hi&lt;/p&gt;" in html_source and "<iframe" not in html_source
    assert "<td>X-Evil</td>" in headers
    assert "as SES would send it" in source
    assert status == 200 and eml.startswith("From: news@blog.example")
    assert download["Content-Disposition"].startswith('attachment; filename="m1.eml"')
    assert download["Content-Type"] == "message/rfc822"
    assert call(console, "/_local/outbox/nope/eml")[0] == 404


@pytest.mark.localcloud
def test_cli_outbox_says_no_emails_then_lists_them(localcloud):
    def outbox() -> str:
        command = [sys.executable, "-m", "localcloud", "outbox", "--state-dir", str(localcloud.state_dir)]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout

    assert outbox().strip() == "no emails"

    ses = localcloud.aws("ses")
    ses.verify_email_identity(EmailAddress="news@blog.example")
    ses.send_email(
        Source="news@blog.example",
        Destination={"ToAddresses": ["ann@reader.example"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "plain part"}, "Html": {"Data": "<p>x</p>"}}},
    )

    listed = outbox()
    assert "news@blog.example -> ann@reader.example" in listed and "Subject: Hello" in listed
    assert "plain part" in listed  # the text part, kept beside the HTML part
