"""One localcloud on the edge fixture template for the edge's tests, with a counting test origin behind
its custom origin and a closed port behind the failing member of its origin group."""

from __future__ import annotations

import socket
from pathlib import Path

import boto3
import pytest
import requests

from tests.support.localcloud import LocalCloudProcess
from tests.support.origin import TestOrigin

TEMPLATE = Path(__file__).parent / "templates" / "edge" / "template.yaml"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EdgeCloud:
    def __init__(self, cloud: LocalCloudProcess, origin: TestOrigin):
        self.cloud = cloud
        self.origin = origin
        self.url = cloud.endpoints["cdn"]["Cdn"]
        self.outputs = cloud.endpoints["outputs"]["Root"]
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return self.http.get(self.url + path, **kwargs)

    def s3(self):
        return self.cloud.aws("s3")

    def put_site(self, key: str, body: bytes, content_type: str = "text/html") -> None:
        self.s3().put_object(Bucket=self.outputs["SiteBucket"], Key=key, Body=body, ContentType=content_type)

    def invalidate(self, *paths: str) -> dict:
        cloudfront = self.cloud.aws("cloudfront")
        batch = {"Paths": {"Quantity": len(paths), "Items": list(paths)}, "CallerReference": str(paths)}
        return cloudfront.create_invalidation(DistributionId=self.outputs["DistributionId"], InvalidationBatch=batch)


@pytest.fixture(scope="session")
def edge(tmp_path_factory):
    origin = TestOrigin()
    state = tmp_path_factory.mktemp("edge")
    params = ["--param", f"OriginPort={origin.port}", "--param", f"BrokenOriginPort={closed_port()}"]
    cloud = LocalCloudProcess(TEMPLATE, state, state / "log.txt", extra=tuple(params)).start()
    yield EdgeCloud(cloud, origin)
    cloud.stop()
    origin.close()


def anonymous_get(url: str) -> requests.Response:
    return requests.get(url, timeout=30)


def admin_client(cloud: LocalCloudProcess, service: str):
    return boto3.client(service, endpoint_url=cloud.endpoints["aws"], region_name="us-east-1")
