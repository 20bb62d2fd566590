"""A start-up speed patch: moto's EC2 region and zone lists are built with one botocore session.

Importing moto's SSM (which every template with SSM parameters needs) imports its EC2 models, whose
region module calls `boto3.Session().get_available_regions(...)` three times at import; each new
session loads botocore's endpoint data again, about 0.2 s apiece on these machines. Here that import
happens once, with `boto3.Session()` handing out one shared session, so the lists are the same and
`make dev` is ready about 0.6 s sooner. That session also answers `get_available_regions` from botocore's
endpoint data alone: botocore's own method loads the whole EC2 API model (megabytes of JSON, the largest
part of this import) only to read its endpoint prefix, which is "ec2".
"""

from __future__ import annotations

import sys


def apply() -> None:
    if "moto.ec2.models.availability_zones_and_regions" in sys.modules:
        return
    import boto3

    class RegionsFromEndpoints(boto3.session.Session):
        def get_available_regions(
            self, service_name: str, partition_name: str = "aws", allow_non_regional: bool = False
        ) -> list[str]:
            if service_name != "ec2":
                return super().get_available_regions(service_name, partition_name, allow_non_regional)
            resolver = self._session._get_internal_component("endpoint_resolver")
            return resolver.get_available_endpoints("ec2", partition_name, allow_non_regional)

    shared = RegionsFromEndpoints()
    original = boto3.Session

    def one_session(*args, **kwargs):
        return shared if not args and not kwargs else original(*args, **kwargs)

    boto3.Session = one_session  # type: ignore[misc]
    try:
        import moto.ec2.models.availability_zones_and_regions  # noqa: F401
    finally:
        boto3.Session = original  # type: ignore[misc]
