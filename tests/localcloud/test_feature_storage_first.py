"""Storage first end to end: the API puts each posted page view straight into Kinesis through a direct
service integration (VTL request template, an IAM role as credentials), and the stream's consumer sees the
record with the payload exactly as posted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.localcloud import LocalCloudProcess, localcloud_on

TEMPLATE = Path(__file__).parent / "templates" / "storage_first" / "template.yaml"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    yield from localcloud_on(tmp_path_factory, TEMPLATE, "storage-first")


def views_seen(cloud: LocalCloudProcess) -> list[dict]:
    return cloud.aws("dynamodb").scan(TableName=cloud.endpoints["outputs"]["Root"]["ViewsSeenTable"])["Items"]


def post_view(cloud: LocalCloudProcess, body: str, content_type: str = "application/json"):
    return cloud.http.post(
        cloud.api_url("Api") + "/views", data=body, headers={"Content-Type": content_type}, timeout=30
    )


def test_a_posted_view_reaches_the_stream_consumer(cloud):
    view = json.dumps({"page": "/posts/hello-world", "reader": "r-1"})
    response = post_view(cloud, view)
    assert response.status_code == 200, response.text
    sequence = response.json()["sequence"]
    assert sequence

    assert cloud.wait_idle(30)
    (seen,) = [item for item in views_seen(cloud) if item["sequence"]["S"] == sequence]
    assert seen["payload"]["S"] == view
    assert seen["source"]["S"].startswith("arn:aws:kinesis:")


def test_a_body_of_another_media_type_is_refused_before_kinesis(cloud):
    before = len(views_seen(cloud))
    response = post_view(cloud, "page=/x", "text/plain")
    assert response.status_code == 415
    assert response.json() == {"message": "Unsupported Media Type"}
    assert cloud.wait_idle(30)
    assert len(views_seen(cloud)) == before
