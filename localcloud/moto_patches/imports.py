"""A start-up speed patch: moto's EC2 region and zone lists are built with one botocore session.

Importing moto's SSM (which every template with SSM parameters needs) imports its EC2 models, whose
region module calls `boto3.Session().get_available_regions(...)` three times at import; each new
session loads botocore's endpoint data again, about 0.2 s apiece on these machines. Here that import
happens once, with `boto3.Session()` handing out one shared session, so the lists are the same and
`make dev` is ready about 0.6 s sooner. That session also answers `get_available_regions` from botocore's
endpoint data alone: botocore's own method loads the whole EC2 API model (megabytes of JSON, the largest
part of this import) only to read its endpoint prefix, which is "ec2".

The same import reads EC2's instance-type offerings, some 90 gzipped JSON files (every region, by region,
zone and zone id), which only DescribeInstanceTypeOfferings, RunInstances with a placement and spot price
history read. Here each location type's offerings are read on the first lookup instead, then kept, with
the same content (`LocationType` set on each offering, as moto's import loop does).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_OFFERINGS = "/instance_type_offerings/"


def apply() -> None:
    if "moto.ec2.models" in sys.modules:
        return
    import boto3
    from moto.utilities import utils

    class RegionsFromEndpoints(boto3.session.Session):
        def get_available_regions(
            self, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
        ) -> list[str]:
            if service_name != "ec2":
                return super().get_available_regions(service_name, partition_name, allow_non_regional)
            resolver = self._session._get_internal_component("endpoint_resolver")
            return resolver.get_available_endpoints("ec2", partition_name, allow_non_regional)

    shared = RegionsFromEndpoints()
    original_session, original_load = boto3.Session, utils.load_resource

    def one_session(*args, **kwargs):
        return shared if not args and not kwargs else original_session(*args, **kwargs)

    def load_resource(resource: str) -> Any:
        return _Deferred(resource) if _OFFERINGS in resource else original_load(resource)

    boto3.Session = one_session  # type: ignore[misc]
    utils.load_resource = load_resource
    try:
        from moto.ec2.models import instance_types  # the package: every EC2 model, the region lists too
    finally:
        boto3.Session = original_session  # type: ignore[misc]
        utils.load_resource = original_load
    offerings = instance_types.INSTANCE_TYPE_OFFERINGS
    for location_type, by_region in list(offerings.items()):
        if all(isinstance(value, _Deferred) for value in by_region.values()):
            resources = {region: value.resource for region, value in by_region.items()}
            offerings[location_type] = _RegionOfferings(location_type, resources, original_load)


class _Deferred(list):
    """What an offerings file reads as during the import: nothing yet, and where it is."""

    def __init__(self, resource: str):
        super().__init__()
        self.resource = resource


class _RegionOfferings(Mapping):
    """region -> offerings of one location type, all read on the first lookup."""

    def __init__(self, location_type: str, resources: dict[str, str], load: Callable[[str], Any]):
        self._location_type = location_type
        self._resources = resources
        self._load = load
        self._data: dict[str, list] | None = None
        self._lock = threading.Lock()

    def _loaded(self) -> dict[str, list]:
        if self._data is None:
            with self._lock:
                if self._data is None:
                    data = {}
                    for region, resource in self._resources.items():
                        offerings = self._load(resource)
                        for offering in offerings:
                            offering["LocationType"] = self._location_type
                        data[region] = offerings
                    self._data = data
        return self._data

    def __getitem__(self, region: str) -> list:
        return self._loaded()[region]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resources)

    def __len__(self) -> int:
        return len(self._resources)
