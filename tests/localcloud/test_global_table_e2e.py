"""AWS::DynamoDB::GlobalTable on a running localcloud (templates/global_table), driven as a client: the
local replica is a table with the template's settings, its stream feeds a function, its items survive a
restart and a reset wipes them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.localcloud import LocalCloudProcess

pytestmark = pytest.mark.localcloud

TEMPLATE = Path(__file__).parent / "templates" / "global_table" / "template.yaml"


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("global-table")


@pytest.fixture(scope="module")
def cloud(state):
    process = LocalCloudProcess(TEMPLATE, state, state / "log.txt").start()
    yield process
    process.stop()


def counts(cloud: LocalCloudProcess, table: str) -> dict[str, dict[str, int]]:
    items = cloud.aws("dynamodb").scan(TableName=table)["Items"]
    return {i["slug"]["S"]: {k: int(v["N"]) for k, v in i.items() if k != "slug"} for i in items}


def test_the_local_replica_is_a_table_with_the_templates_settings(cloud, state):
    out = cloud.endpoints["outputs"]["Root"]
    assert cloud.endpoints["errors"] == []
    ddb = cloud.aws("dynamodb")
    table = ddb.describe_table(TableName=out["PostsTable"])["Table"]
    assert out["PostsArn"] == table["TableArn"] == f"arn:aws:dynamodb:us-east-1:123456789012:table/{out['PostsTable']}"
    assert out["PostsStreamArn"] == table["LatestStreamArn"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    (index,) = table["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "byStatus" and [k["AttributeName"] for k in index["KeySchema"]] == [
        "status",
        "publishedAt",
    ]
    assert uuid.UUID(out["PostsTableId"])
    backups = ddb.describe_continuous_backups(TableName=out["PostsTable"])["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=out["PostsTable"])["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expiresAt"
    tags = ddb.list_tags_of_resource(ResourceArn=out["PostsArn"])["Tags"]
    assert {"Key": "service", "Value": "blog"} in tags

    counters = ddb.describe_table(TableName=out["CountersTable"])["Table"]["ProvisionedThroughput"]
    assert (counters["ReadCapacityUnits"], counters["WriteCapacityUnits"]) == (7, 3)
    log = (state / "log.txt").read_text()
    assert re.search(r"Posts: global table replicas in eu-west-1 are not emulated", log), log[-2000:]


def test_the_stream_of_a_global_table_feeds_its_consumer(cloud):
    out = cloud.endpoints["outputs"]["Root"]
    ddb = cloud.aws("dynamodb")
    ddb.put_item(TableName=out["PostsTable"], Item={"slug": {"S": "hello"}, "title": {"S": "Hello"}})
    ddb.update_item(
        TableName=out["PostsTable"],
        Key={"slug": {"S": "hello"}},
        UpdateExpression="SET title = :t",
        ExpressionAttributeValues={":t": {"S": "Hello!"}},
    )
    assert cloud.wait_idle(30)
    assert counts(cloud, out["CountersTable"]) == {"hello": {"INSERT": 1, "MODIFY": 1}}
    cloud.reset()


def test_the_data_browser_lists_global_tables(cloud):
    out = cloud.endpoints["outputs"]["Root"]
    cloud.aws("dynamodb").put_item(TableName=out["PostsTable"], Item={"slug": {"S": "seen"}})
    base = cloud.endpoints["console"]
    overview = requests.get(f"{base}/api/data", timeout=30).json()
    assert {out["PostsTable"], out["CountersTable"]} <= {s["name"] for s in overview["tables"]}
    scan = requests.get(f"{base}/api/data/tables/{out['PostsTable']}", timeout=30).json()
    assert [i["slug"] for i in scan["items"]] == ["seen"]
    assert cloud.wait_idle(30)
    cloud.reset()


def test_a_reset_wipes_global_tables(cloud):
    out = cloud.endpoints["outputs"]["Root"]
    ddb = cloud.aws("dynamodb")
    for slug in ("a", "b", "c"):
        ddb.put_item(TableName=out["PostsTable"], Item={"slug": {"S": slug}})
    assert cloud.wait_idle(30)
    wiped = cloud.control("reset", users=True)["wiped"]
    assert wiped["items"] >= 6  # three posts and their three counters
    assert ddb.scan(TableName=out["PostsTable"])["Items"] == []
    assert ddb.scan(TableName=out["CountersTable"])["Items"] == []


def test_global_table_items_survive_a_restart_without_replaying_the_stream(tmp_path):
    first = LocalCloudProcess(TEMPLATE, tmp_path, tmp_path / "log.txt").start()
    out = first.endpoints["outputs"]["Root"]
    try:
        first.aws("dynamodb").put_item(TableName=out["PostsTable"], Item={"slug": {"S": "kept"}})
        assert first.wait_idle(30)
        assert counts(first, out["CountersTable"]) == {"kept": {"INSERT": 1}}
    finally:
        first.stop()
    second = LocalCloudProcess(TEMPLATE, tmp_path, tmp_path / "log2.txt").start()
    try:
        items = second.aws("dynamodb").scan(TableName=out["PostsTable"])["Items"]
        assert [i["slug"]["S"] for i in items] == ["kept"]
        assert second.wait_idle(30)
        assert counts(second, out["CountersTable"]) == {"kept": {"INSERT": 1}}  # restored, not re-counted
    finally:
        second.stop()
