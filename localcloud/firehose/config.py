"""A delivery stream's template properties, read once into plain settings with Firehose's defaults.

Emulated: DirectPut and KinesisStreamAsSource streams with an S3 or ExtendedS3 destination; the
buffering hints (SizeInMBs 1-128, default 5; IntervalInSeconds 0-900, default 300); UNCOMPRESSED and
GZIP; FileExtension; CustomTimeZone; Prefix and ErrorOutputPrefix (`names`); a Lambda processor
(NumberOfRetries, BufferSizeInMBs) and AppendDelimiterToRecord. What would make the objects differ
from AWS's (another source, Snappy or ZIP, dynamic partitioning, format conversion, another processor)
raises `DeliveryConfigError`, so a template never silently gets other objects than on AWS. Settings that
leave the objects as they are (encryption, CloudWatch logging, the IAM roles) are not checked; source
record backup (S3BackupMode Enabled) is not written, and the creator warns of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from localcloud.firehose import names
from localcloud.model import Resource

MIB = 1024 * 1024
DEFAULT_SIZE_MB = 5
DEFAULT_INTERVAL = 300
DEFAULT_PROCESSOR_RETRIES = 3
DEFAULT_PROCESSOR_MB = 1
EXTENSIONS = {"UNCOMPRESSED": "", "GZIP": ".gz"}
DESTINATIONS = ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")
_ENABLED_NOT_EMULATED = ("DynamicPartitioningConfiguration", "DataFormatConversionConfiguration")


class DeliveryConfigError(ValueError):
    """A delivery stream localcloud cannot deliver as configured; the message says why."""


@dataclass(frozen=True)
class Processor:
    """The Lambda processor: invoked with up to `buffer_bytes` of records, retried `retries` times."""

    function_arn: str
    retries: int = DEFAULT_PROCESSOR_RETRIES
    buffer_bytes: int = DEFAULT_PROCESSOR_MB * MIB


@dataclass(frozen=True)
class DeliveryConfig:
    address: str
    name: str
    arn: str
    stream_type: str  # DirectPut | KinesisStreamAsSource
    source_arn: str | None  # the Kinesis stream, for KinesisStreamAsSource
    bucket: str
    prefix: str  # as evaluated: the default timestamp appended when it had none
    error_prefix: str
    buffer_bytes: int
    interval: float
    compression: str
    extension: str
    zone: Any  # a tzinfo
    processor: Processor | None = None
    append_delimiter: bool = False
    version: str = "1"

    @classmethod
    def from_resource(cls, resource: Resource) -> DeliveryConfig:
        """From a provisioned AWS::KinesisFirehose::DeliveryStream (its Ref is the stream name)."""
        return parse(resource.properties, address=resource.address, name=resource.ref, arn=resource.attrs["Arn"])


def destination_of(props: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(property name, configuration) of the S3 destination, or None when the stream has another one."""
    for key in DESTINATIONS:
        if props.get(key):
            return key, props[key]
    return None


def parse(props: dict[str, Any], *, address: str, name: str, arn: str) -> DeliveryConfig:
    stream_type = str(props.get("DeliveryStreamType") or "DirectPut")
    source_arn = None
    if stream_type == "KinesisStreamAsSource":
        source_arn = str((props.get("KinesisStreamSourceConfiguration") or {}).get("KinesisStreamARN") or "")
        if not source_arn:
            raise DeliveryConfigError("KinesisStreamAsSource needs KinesisStreamSourceConfiguration.KinesisStreamARN")
    elif stream_type != "DirectPut":
        raise DeliveryConfigError(f"DeliveryStreamType {stream_type} is not emulated (only DirectPut and Kinesis)")
    found = destination_of(props)
    if found is None:
        raise DeliveryConfigError("only S3 destinations are emulated (ExtendedS3 or S3DestinationConfiguration)")
    key, dest = found
    for option in _ENABLED_NOT_EMULATED:
        if _enabled((dest.get(option) or {}).get("Enabled")):
            raise DeliveryConfigError(f"{option} is not emulated")
    bucket_arn = str(dest.get("BucketARN") or "")
    if not bucket_arn.startswith("arn:aws:s3:::"):
        raise DeliveryConfigError(f"BucketARN {bucket_arn!r} is not an S3 bucket ARN")
    prefix, errors = dest.get("Prefix") or None, dest.get("ErrorOutputPrefix") or None
    try:
        names.check(prefix, errors)
    except names.PrefixError as exc:
        raise DeliveryConfigError(str(exc)) from None
    hints = dest.get("BufferingHints") or {}
    size = _number(hints, "SizeInMBs", DEFAULT_SIZE_MB, 1, 128)
    interval = _number(hints, "IntervalInSeconds", DEFAULT_INTERVAL, 0, 900)
    compression = str(dest.get("CompressionFormat") or "UNCOMPRESSED")
    if compression not in EXTENSIONS:
        raise DeliveryConfigError(f"CompressionFormat {compression} is not emulated ({', '.join(EXTENSIONS)})")
    extension = EXTENSIONS[compression]
    if key == "ExtendedS3DestinationConfiguration" and dest.get("FileExtension"):
        extension = str(dest["FileExtension"])
        if not extension.startswith("."):
            raise DeliveryConfigError(f"FileExtension {extension!r} must start with a period")
    processor, delimiter = _processing(dest.get("ProcessingConfiguration") or {}, key)
    return DeliveryConfig(
        address=address,
        name=name,
        arn=arn,
        stream_type=stream_type,
        source_arn=source_arn,
        bucket=bucket_arn.removeprefix("arn:aws:s3:::"),
        prefix=names.data_prefix(prefix),
        error_prefix=names.error_prefix(prefix, errors),
        buffer_bytes=size * MIB,
        interval=float(interval),
        compression=compression,
        extension=extension,
        zone=_zone(str(dest.get("CustomTimeZone") or "UTC")),
        processor=processor,
        append_delimiter=delimiter,
    )


def _processing(config: dict[str, Any], key: str) -> tuple[Processor | None, bool]:
    if not _enabled(config.get("Enabled", bool(config.get("Processors")))):
        return None, False
    if key != "ExtendedS3DestinationConfiguration":
        raise DeliveryConfigError("ProcessingConfiguration needs an ExtendedS3DestinationConfiguration")
    processor = None
    delimiter = False
    for item in config.get("Processors") or []:
        params = {str(p.get("ParameterName")): p.get("ParameterValue") for p in item.get("Parameters") or []}
        kind = str(item.get("Type") or "")
        if kind == "AppendDelimiterToRecord":
            delimiter = True
        elif kind == "Lambda":
            if not params.get("LambdaArn"):
                raise DeliveryConfigError("a Lambda processor needs the LambdaArn parameter")
            processor = Processor(
                function_arn=str(params["LambdaArn"]),
                retries=_number(params, "NumberOfRetries", DEFAULT_PROCESSOR_RETRIES, 0, 300),
                buffer_bytes=int(_number(params, "BufferSizeInMBs", DEFAULT_PROCESSOR_MB, 0.2, 3, float) * MIB),
            )
        else:
            raise DeliveryConfigError(f"the {kind} processor is not emulated (Lambda, AppendDelimiterToRecord)")
    return processor, delimiter


def _number(values: dict[str, Any], key: str, default: int, low: float, high: float, kind: type = int) -> Any:
    raw = values.get(key, default)
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        raise DeliveryConfigError(f"{key} {raw!r} is not a number") from None
    if not low <= value <= high:
        raise DeliveryConfigError(f"{key} {value} is out of range ({low}-{high})")
    return value


def _enabled(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise DeliveryConfigError(f"CustomTimeZone {name!r} is not a time zone") from None
