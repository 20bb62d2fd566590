"""What a restart keeps, on a fixture template: queue messages (FIFO order included), every object version
and delete marker, the outbox; restored items do not replay through their stream; a crash loses at most
the last second; an unreadable or incompatible snapshot is set aside with a clear message."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import LocalCloudProcess

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "state" / "template.yaml"


@pytest.fixture
def restartable(tmp_path):
    clouds: list[LocalCloudProcess] = []

    def start(*extra: str) -> LocalCloudProcess:
        cloud = LocalCloudProcess(TEMPLATE, tmp_path, tmp_path / f"log{len(clouds)}.txt", extra=extra)
        clouds.append(cloud.start())
        return cloud

    yield start
    for cloud in clouds:
        cloud.stop()


def outputs(cloud: LocalCloudProcess) -> dict:
    return cloud.endpoints["outputs"]["Root"]


def inserts_counted(cloud: LocalCloudProcess) -> int:
    item = cloud.aws("dynamodb").get_item(TableName=outputs(cloud)["CountsTable"], Key={"id": {"S": "inserts"}})
    return int(item.get("Item", {}).get("n", {}).get("N", 0))


def test_messages_versions_and_emails_survive_and_restored_items_do_not_replay(restartable):
    cloud = restartable()
    out = outputs(cloud)
    ddb, sqs, s3, ses = (cloud.aws(s) for s in ("dynamodb", "sqs", "s3", "ses"))
    for n in range(3):
        ddb.put_item(TableName=out["NotesTable"], Item={"id": {"S": f"n{n}"}, "text": {"S": "hi"}})
    sqs.send_message(
        QueueUrl=out["InboxUrl"],
        MessageBody="first",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "greeting"}},
    )
    in_flight = sqs.send_message(QueueUrl=out["InboxUrl"], MessageBody="in flight")["MessageId"]
    sqs.receive_message(QueueUrl=out["InboxUrl"], MaxNumberOfMessages=10, VisibilityTimeout=600)
    for body in ("o1", "o2", "o3"):
        sqs.send_message(QueueUrl=out["OrdersUrl"], MessageBody=body, MessageGroupId="g")
    bucket = out["ArchiveBucket"]
    v1 = s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"v1", ContentType="text/plain")["VersionId"]
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"v2", Metadata={"author": "ann"})
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone.txt")
    ses.send_email(
        Source="news@example.com",
        Destination={"ToAddresses": ["reader@example.com"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "kept"}}},
    )
    assert cloud.wait_idle()
    assert inserts_counted(cloud) == 3
    cloud.stop()

    again = restartable()
    assert again.wait_idle()
    assert inserts_counted(again) == 3  # the three restored items did not run through the stream again
    ddb = again.aws("dynamodb")
    assert ddb.scan(TableName=out["NotesTable"])["Count"] == 3
    sqs, s3 = again.aws("sqs"), again.aws("s3")
    received = sqs.receive_message(
        QueueUrl=out["InboxUrl"], MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
    )["Messages"]
    by_body = {m["Body"]: m for m in received}
    assert set(by_body) == {"first", "in flight"}  # the in-flight one is visible again, as after a crash
    assert by_body["first"]["MessageAttributes"]["kind"]["StringValue"] == "greeting"
    assert by_body["in flight"]["MessageId"] == in_flight
    assert int(by_body["in flight"]["Attributes"]["ApproximateReceiveCount"]) == 2
    orders = []
    for _ in range(3):
        [message] = sqs.receive_message(QueueUrl=out["OrdersUrl"])["Messages"]
        orders.append(message["Body"])
        sqs.delete_message(QueueUrl=out["OrdersUrl"], ReceiptHandle=message["ReceiptHandle"])
    assert orders == ["o1", "o2", "o3"]  # a FIFO group comes back in order
    versions = s3.list_object_versions(Bucket=bucket)
    assert [v["IsLatest"] for v in versions["Versions"] if v["Key"] == "doc.txt"].count(True) == 1
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"v2"
    assert s3.get_object(Bucket=bucket, Key="doc.txt")["Metadata"] == {"author": "ann"}
    assert s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=v1)["Body"].read() == b"v1"
    assert [m["Key"] for m in versions.get("DeleteMarkers", [])] == ["gone.txt"]
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1
    outbox = requests.get(f"{again.base}/_local/api/outbox", timeout=30).json()
    assert [(m["subject"], m["text"]) for m in outbox] == [("Hello", "kept")]


def test_a_generated_secret_and_one_written_at_run_time_keep_their_values(restartable):
    cloud = restartable()
    secrets = cloud.aws("secretsmanager")
    token = outputs(cloud)["TokenSecret"]
    generated = secrets.get_secret_value(SecretId=token)["SecretString"]
    secrets.create_secret(Name="dev/runtime", SecretString="first")
    secrets.put_secret_value(SecretId="dev/runtime", SecretString="second")
    cloud.stop()

    again = restartable().aws("secretsmanager")
    assert again.get_secret_value(SecretId=token)["SecretString"] == generated
    assert again.get_secret_value(SecretId="dev/runtime")["SecretString"] == "second"
    previous = again.get_secret_value(SecretId="dev/runtime", VersionStage="AWSPREVIOUS")["SecretString"]
    assert previous == "first"


def test_a_killed_instance_keeps_what_it_had_saved(restartable):
    cloud = restartable()
    out = outputs(cloud)
    cloud.aws("sqs").send_message(QueueUrl=out["InboxUrl"], MessageBody="before the crash")
    time.sleep(2.5)  # the background save runs every second while changes come in
    os.killpg(cloud.proc.pid, signal.SIGKILL)
    cloud.proc.wait(10)

    again = restartable()
    messages = again.aws("sqs").receive_message(QueueUrl=out["InboxUrl"]).get("Messages", [])
    assert [m["Body"] for m in messages] == ["before the crash"]


def test_an_unreadable_snapshot_is_set_aside_with_a_message(restartable, tmp_path):
    (tmp_path / "state.db").write_bytes(b"this is not a database")
    cloud = restartable()
    log = cloud.log_path.read_text()
    assert "is unusable" in log and "Starting fresh" in log
    asides = list(tmp_path.glob("state.db.unreadable-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == b"this is not a database"
    assert cloud.aws("sqs").receive_message(QueueUrl=outputs(cloud)["InboxUrl"]).get("Messages") is None


def test_a_snapshot_from_an_incompatible_version_is_set_aside(restartable, tmp_path):
    cloud = restartable()
    cloud.aws("sqs").send_message(QueueUrl=outputs(cloud)["InboxUrl"], MessageBody="old")
    cloud.stop()
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'moto'")
    again = restartable()
    log = again.log_path.read_text()
    assert "moto 0.0.1" in log and "Starting fresh" in log
    assert list(tmp_path.glob("state.db.unreadable-*"))
