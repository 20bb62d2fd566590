"""The DynamoDB Table object, created lazily once per process: boto3, or DAX when an endpoint is set.

Both expose the same boto3 resource API (Table.query/get_item/update_item/...), so a service's store
does not know which one it uses. Shared because todos and blog both read through DAX when it is on;
amazon-dax-client itself is not in this layer: a function that uses DAX gets it from the DAX layer. The
factories are parameters so tests can inject fakes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

ResourceFactory = Callable[[], Any]
DaxResourceFactory = Callable[[str], Any]
# botocore's standard mode: 3 attempts, jittered backoff of at most 1 s then 2 s, so a throttled call fails
# within the API's time (its legacy mode retries DynamoDB 10 times, backing off ~25 s in all) and the
# handler answers 503 with Retry-After (common.http); a short throttle is absorbed by the retries.
SDK_RETRIES = {"mode": "standard", "total_max_attempts": 3}


def boto3_resource() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.resource("dynamodb", config=Config(retries=SDK_RETRIES))


def dax_resource(endpoint_url: str) -> Any:
    from amazondax import AmazonDaxClient

    return AmazonDaxClient.resource(endpoint_url=endpoint_url)


class TableProvider:
    def __init__(
        self,
        table_name: str,
        dax_endpoint: str | None = None,
        *,
        resource_factory: ResourceFactory = boto3_resource,
        dax_factory: DaxResourceFactory = dax_resource,
    ):
        if not table_name:
            raise ValueError("a table name is required")
        self.table_name = table_name
        self.dax_endpoint = dax_endpoint or None
        self._resource_factory = resource_factory
        self._dax_factory = dax_factory
        self._table: Any = None
        self._lock = threading.Lock()

    @property
    def uses_dax(self) -> bool:
        return self.dax_endpoint is not None

    @property
    def table(self) -> Any:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    resource = self._dax_factory(self.dax_endpoint) if self.dax_endpoint else self._resource_factory()
                    self._table = resource.Table(self.table_name)
        return self._table
