"""Firehose delivery streams: created in moto (so DescribeDeliveryStream and friends answer on the AWS
endpoint) and checked as CreateDeliveryStream checks them, since `localcloud.sources` delivers them.

A stream to an S3 destination must be one localcloud can deliver exactly (`localcloud.firehose.config`),
or the resource fails with the reason: a prefix Firehose would refuse, Snappy, dynamic partitioning.
A stream to another destination (HTTP endpoint, Redshift, OpenSearch...) gets its ids and a warning
only: nothing reads it.
"""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ParamValidationError

from localcloud.firehose.config import DeliveryConfigError, destination_of, parse
from localcloud.model import Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import arn, tag_list
from localcloud.provision.creators.registry import creates

log = logging.getLogger("localcloud.provision")

_INTEGERS = ("SizeInMBs", "IntervalInSeconds")


@creates("AWS::KinesisFirehose::DeliveryStream")
def _delivery_stream(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = str(p.get("DeliveryStreamName") or ctx.name_for(r.logical_id, max_len=64))
    stream_arn = arn(ctx, "firehose", f"deliverystream/{name}")
    r.ref = name
    r.attrs = {"Arn": stream_arn}
    found = destination_of(p)
    if found is None:
        log.warning("%s: only S3 destinations are delivered locally; this stream has its ids only", r.address)
        return
    try:
        parse(p, address=r.address, name=name, arn=stream_arn)
    except DeliveryConfigError as exc:
        raise CreatorError(str(exc)) from None
    key, destination = found
    if str(destination.get("S3BackupMode") or "") == "Enabled":
        log.warning("%s: source record backup (S3BackupMode) is not emulated; no backup objects", r.address)
    args: dict[str, Any] = {
        "DeliveryStreamName": name,
        "DeliveryStreamType": str(p.get("DeliveryStreamType") or "DirectPut"),
        key: _api_shape(destination),
    }
    if p.get("KinesisStreamSourceConfiguration"):
        args["KinesisStreamSourceConfiguration"] = p["KinesisStreamSourceConfiguration"]
    if tag_list(p):
        args["Tags"] = tag_list(p)
    try:
        ctx.aws("firehose").create_delivery_stream(**args)
    except ParamValidationError as exc:
        raise CreatorError(str(exc)) from None


def _api_shape(value: Any, key: str = "") -> Any:
    """CloudFormation's resolved values in the API's types: numbers as ints, booleans as booleans."""
    if isinstance(value, dict):
        return {k: _api_shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_api_shape(v, key) for v in value]
    if key in _INTEGERS:
        return int(value)
    if key == "Enabled":
        return value is True or str(value).lower() == "true"
    if key == "ParameterValue":
        return str(value)
    return value
