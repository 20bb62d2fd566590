"""The console and the terminal on a running `localcloud up` (templates/console): request-log lines for
API calls and async deliveries, the event log after S3 writes, the data browser's pages, the docs list."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from tests.support.localcloud import DEMO_PASSWORD

pytestmark = pytest.mark.localcloud


def terminal_lines(cloud, pattern: str, timeout: float = 10) -> list[str]:
    """The lines of the terminal log matching `pattern`, waiting for the writer thread to print them."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in cloud.log_path.read_text().splitlines() if re.search(pattern, line)]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def console(cloud, path: str, **params) -> requests.Response:
    response = requests.get(cloud.endpoints["console"] + path, params=params, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    return response


def queue_name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


# the terminal and the request log -------------------------------------------------------------------


def test_api_requests_print_one_line_each_and_fill_the_request_log(console_app):
    cloud, _ = console_app
    api = cloud.api_url("ItemsApi")
    health = requests.get(f"{api}/health", timeout=30)
    denied = requests.get(f"{api}/items", timeout=30)
    request_id = health.headers["x-amzn-RequestId"]
    path = api.split("/", 3)[3]

    [line] = terminal_lines(cloud, re.escape(request_id))
    assert re.search(
        rf"^\d\d:\d\d:\d\d\.\d{{3}} API  GET    /{re.escape(path)}/health 200 \d+ms  Api  {request_id}$", line
    )
    [refused] = terminal_lines(cloud, re.escape(denied.headers["x-amzn-RequestId"]))
    assert f"/{path}/items 401 " in refused and "ms  -  " in refused

    logged = console(cloud, "/api/requests", api="ItemsApi").json()
    assert [(r["method"], r["status"], r["function"]) for r in logged] == [("GET", 200, "Api"), ("GET", 401, "")]
    assert [r["status"] for r in console(cloud, "/api/requests", status="4xx").json()] == [401]
    detail = console(cloud, f"/api/requests/{request_id}").json()
    [call] = detail["invocations"]
    assert call["event"]["path"] == "/health" and call["event"]["requestContext"]["requestId"] == request_id
    assert json.loads(call["payload"]["body"])["path"] == "/health"
    assert any("api call" in entry["line"] for entry in call["logs"])
    page = console(cloud, f"/requests/{request_id}").text
    assert "Event (what the function received)" in page and "api call" in page


def test_async_deliveries_print_source_function_batch_and_outcome(console_app):
    cloud, outputs = console_app
    s3 = cloud.aws("s3")
    s3.put_object(Bucket=outputs["UploadsBucket"], Key="photos/cat.jpg", Body=b"jpg")
    s3.put_object(Bucket=outputs["UploadsBucket"], Key="inbox/fail-me.txt", Body=b"x")
    assert cloud.wait_idle(30)

    inbox, bucket = queue_name(outputs["InboxQueue"]), outputs["UploadsBucket"]
    assert terminal_lines(cloud, rf"S3   {bucket} → OnPhoto  batch 1  ok  [0-9a-f-]{{36}}$")
    assert terminal_lines(cloud, rf"SQS  {inbox} → OnInbox  batch 1  error \(1 of 1 failed\)")
    assert terminal_lines(cloud, rf"SQS  {queue_name(outputs['InboxDeadLetters'])} → OnInbox  dead-letter")


def test_the_event_log_shows_what_an_s3_write_sent_and_what_it_triggered(console_app):
    cloud, outputs = console_app
    cloud.aws("s3").put_object(Bucket=outputs["UploadsBucket"], Key="inbox/note.txt", Body=b"hello")
    assert cloud.wait_idle(30)

    s3_events = console(cloud, "/api/events", channel="s3").json()
    [notification] = [e for e in s3_events if e["kind"] == "ObjectCreated:Put"]
    assert notification["name"] == outputs["UploadsBucket"] and notification["key"] == "inbox/note.txt"
    assert notification["target"] == queue_name(outputs["InboxQueue"])
    deliveries = [e for e in console(cloud, "/api/events", channel="sqs").json() if e["kind"] == "delivery"]
    assert any(e["function"] == "OnInbox" and e["outcome"] == "ok" for e in deliveries)
    assert "ObjectCreated:Put" in console(cloud, "/events", channel="s3").text


# the data browser --------------------------------------------------------------------------------


def test_tables_list_items_and_answer_a_key_query(console_app):
    cloud, outputs = console_app
    table = outputs["ItemsTable"]
    ddb = cloud.aws("dynamodb")
    for sk, owner in (("2024-01", "ann"), ("2024-02", "bob"), ("2025-01", "ann")):
        ddb.put_item(TableName=table, Item={"pk": {"S": "list#1"}, "sk": {"S": sk}, "owner": {"S": owner}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "list#2"}, "sk": {"S": "x"}, "title": {"S": "<b>bold</b>"}})

    scan = console(cloud, f"/api/data/tables/{table}").json()
    query = console(cloud, f"/api/data/tables/{table}", pk="list#1", op="begins_with", sk="2024").json()
    by_owner = console(cloud, f"/api/data/tables/{table}", index="byOwner", pk="ann").json()
    page = console(cloud, f"/data/tables/{table}", pk="list#2").text

    assert scan["mode"] == "scan" and len(scan["items"]) == 4
    assert [i["sk"] for i in query["items"]] == ["2024-01", "2024-02"]
    assert sorted(i["sk"] for i in by_owner["items"]) == ["2024-01", "2025-01"]
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert "Table" in console(cloud, "/data").text


def test_buckets_list_objects_by_folder_with_metadata_and_download(console_app):
    cloud, outputs = console_app
    bucket = outputs["UploadsBucket"]
    cloud.aws("s3").put_object(
        Bucket=bucket,
        Key="photos/2024/a b.txt",
        Body=b"<script>x</script>",
        ContentType="text/html",
        Metadata={"owner": "ann"},
    )

    top = console(cloud, f"/api/data/buckets/{bucket}").json()
    inside = console(cloud, f"/api/data/buckets/{bucket}", prefix="photos/2024/").json()
    meta = console(cloud, f"/api/data/buckets/{bucket}/object", key="photos/2024/a b.txt").json()
    download = console(cloud, f"/data/buckets/{bucket}/download", key="photos/2024/a b.txt")

    assert top["folders"] == ["photos/"]
    assert [o["key"] for o in inside["objects"]] == ["photos/2024/a b.txt"]
    assert meta["Metadata"] == {"owner": "ann"} and meta["ContentLength"] == 18
    assert download.content == b"<script>x</script>"
    assert download.headers["Content-Disposition"].startswith('attachment; filename="a b.txt"')
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "a b.txt" in console(cloud, f"/data/buckets/{bucket}", prefix="photos/2024/").text


def test_a_queue_peek_changes_nothing_for_its_consumers(console_app):
    cloud, outputs = console_app
    sqs = cloud.aws("sqs")
    sqs.send_message(QueueUrl=outputs["AuditQueue"], MessageBody=json.dumps({"n": 1}))
    sqs.send_message(QueueUrl=outputs["AuditQueue"], MessageBody="<i>two</i>")
    name = queue_name(outputs["AuditQueue"])

    first = console(cloud, f"/api/data/queues/{name}").json()
    console(cloud, f"/data/queues/{name}")
    again = console(cloud, f"/api/data/queues/{name}").json()
    received = sqs.receive_message(QueueUrl=outputs["AuditQueue"], MaxNumberOfMessages=10, AttributeNames=["All"])

    assert first["counts"] == again["counts"] == {"visible": 2, "in_flight": 0, "delayed": 0}
    assert [m["body"] for m in again["messages"]] == [{"n": 1}, "<i>two</i>"]
    assert {m["receive_count"] for m in again["messages"]} == {0}
    assert [m["Attributes"]["ApproximateReceiveCount"] for m in received["Messages"]] == ["1", "1"]
    in_flight = console(cloud, f"/api/data/queues/{name}").json()
    assert in_flight["counts"]["in_flight"] == 2 and {m["state"] for m in in_flight["messages"]} == {"in flight"}


def test_a_queue_page_names_its_dead_letter_queue_and_the_dlq_its_sources(console_app):
    cloud, outputs = console_app
    inbox, dlq = queue_name(outputs["InboxQueue"]), queue_name(outputs["InboxDeadLetters"])

    source = console(cloud, f"/api/data/queues/{inbox}").json()
    target = console(cloud, f"/api/data/queues/{dlq}").json()

    assert (source["dead_letter_queue"], source["max_receive_count"]) == (dlq, 1)
    assert target["dead_letter_sources"] == [inbox]
    assert f'href="/_local/data/queues/{dlq}"' in console(cloud, f"/data/queues/{inbox}").text


def test_topics_list_subscriptions_with_their_filter_policy(console_app):
    cloud, outputs = console_app
    name = outputs["EventsTopic"].rsplit(":", 1)[-1]

    [subscription] = console(cloud, f"/api/data/topics/{name}").json()["subscriptions"]

    assert subscription["protocol"] == "sqs" and subscription["endpoint"].endswith(queue_name(outputs["AuditQueue"]))
    assert subscription["filter_policy"] == {"type": ["audit"]} and not subscription["hidden"]
    assert "audit" in console(cloud, f"/data/topics/{name}").text


def test_users_show_groups_and_are_confirmed_and_disabled_with_guarded_buttons(console_app):
    cloud, outputs = console_app
    pool, client = outputs["UserPoolId"], cloud.endpoints["cognito"]["clientId"]
    idp = cloud.aws("cognito-idp")
    idp.sign_up(ClientId=client, Username="ann@example.com", Password=DEMO_PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])  # fmt: skip
    [user] = console(cloud, f"/api/data/users/{pool}").json()["users"]
    idp.admin_add_user_to_group(UserPoolId=pool, Username=user["username"], GroupName="editors")
    page = console(cloud, f"/data/users/{pool}").text
    action = f"{cloud.endpoints['console']}/data/users/{pool}"
    same_site = {"Origin": cloud.base}

    assert user["status"] == "UNCONFIRMED" and user["attributes"]["email"] == "ann@example.com"
    assert "editors" in page and "<button>Confirm</button>" in page
    foreign = requests.post(f"{action}/confirm", data={"username": user["username"]},
                            headers={"Origin": "http://evil.example"}, timeout=30)  # fmt: skip
    assert foreign.status_code == 403
    confirmed = requests.post(f"{action}/confirm", data={"username": user["username"]}, headers=same_site,
                              allow_redirects=False, timeout=30)  # fmt: skip
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == f"/_local/data/users/{pool}"
    requests.post(f"{action}/disable", data={"username": user["username"]}, headers=same_site, timeout=30)

    [after] = console(cloud, f"/api/data/users/{pool}").json()["users"]
    assert (after["status"], after["enabled"], after["groups"]) == ("CONFIRMED", False, ["editors"])


def test_unknown_stores_are_404_naming_what_exists(console_app):
    cloud, outputs = console_app

    missing = requests.get(f"{cloud.endpoints['console']}/api/data/tables/nope", timeout=30)

    assert missing.status_code == 404 and outputs["ItemsTable"] in missing.json()["error"]


def test_the_docs_list_the_api_from_the_openapi_yaml_next_to_its_template(console_app):
    cloud, _ = console_app

    [api] = console(cloud, "/api/docs").json()
    document = console(cloud, f"/docs/specs/{api['api_id']}.json").json()

    assert (api["api"], api["source"], api["base_url"]) == ("ItemsApi", "openapi.yaml", cloud.api_url("ItemsApi"))
    assert document["servers"][0]["url"] == cloud.api_url("ItemsApi")
    assert set(document["paths"]) == {"/items", "/health"}
