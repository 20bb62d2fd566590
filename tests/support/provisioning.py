"""Provisioning a fixture template into a fresh in-process moto server, as the provisioning tests do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from localcloud.model import Deployment
from localcloud.provision import Provisioner


@contextmanager
def moto_server() -> Iterator[str]:
    from moto.moto_api._internal.models import moto_api_backend
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_api_backend.reset()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def client(url: str, service: str):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1")


def deploy(url: str, template: Path, **parameters: str) -> Deployment:
    provisioner = Provisioner(
        aws=lambda s: client(url, s), region="us-east-1", account_id="123456789012", aws_endpoint=url
    )
    return provisioner.deploy(template, stack_name="fixture", parameters=parameters)
