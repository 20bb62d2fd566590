"""What the deployment says about each event source, read once into plain settings.

`MappingConfig` is an `AWS::Lambda::EventSourceMapping` with Lambda's defaults filled in;
`AsyncConfig` is how a function handles asynchronous invocations (S3, SNS): retries, maximum event
age, the on-failure/on-success destinations and its dead-letter queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from localcloud.model import Deployment, FunctionSpec, Resource

from .filters import Filters

DEFAULT_BATCH_SIZE = {"sqs": 10, "kinesis": 100, "dynamodb": 100}
LOCAL_CONCURRENCY_CAP = 5


class MappingError(ValueError):
    """An event source that cannot run; the message names the resource's address."""


def source_kind(arn: str) -> str:
    """`sqs`, `kinesis` or `dynamodb` from an event source ARN."""
    parts = arn.split(":")
    if len(parts) < 6:
        return ""
    service = parts[2]
    if service == "dynamodb" and "/stream/" in parts[5]:
        return "dynamodb"
    return service if service in ("sqs", "kinesis") else ""


def arn_name(arn: str) -> str:
    """The last name in an ARN: queue name, topic name, `stream/NAME` → NAME, `table/T/stream/L` → T."""
    resource = arn.split(":", 5)[-1]
    if resource.startswith("table/"):
        return resource.split("/")[1]
    if resource.startswith("stream/"):
        return resource.split("/")[1]
    return resource.split("/")[-1]


@dataclass
class MappingConfig:
    address: str
    kind: str
    source_arn: str
    function: FunctionSpec
    batch_size: int
    window_seconds: float
    report_failures: bool
    starting_position: str
    starting_timestamp: float | None
    bisect: bool
    max_retries: int
    max_record_age: int
    on_failure: str | None
    filters: Filters
    concurrency: int
    role_arn: str

    @classmethod
    def from_resource(cls, resource: Resource, deployment: Deployment) -> MappingConfig:
        props = resource.properties
        source = str(props.get("EventSourceArn") or "")
        kind = source_kind(source)
        if not kind:
            raise MappingError(f"{resource.address}: unsupported or missing EventSourceArn {source!r}")
        key = str(props.get("FunctionName") or "")
        spec = find_function(deployment, key)
        if spec is None:
            raise MappingError(f"{resource.address}: function {key!r} is not in the deployment")
        try:
            filters = Filters.from_criteria(props.get("FilterCriteria"))
        except ValueError as exc:
            raise MappingError(f"{resource.address}: invalid FilterCriteria: {exc}") from exc
        maximum = (props.get("ScalingConfig") or {}).get("MaximumConcurrency")
        timestamp = props.get("StartingPositionTimestamp")
        return cls(
            address=resource.address,
            kind=kind,
            source_arn=source,
            function=spec,
            batch_size=int(props.get("BatchSize") or DEFAULT_BATCH_SIZE[kind]),
            window_seconds=float(props.get("MaximumBatchingWindowInSeconds") or 0),
            report_failures="ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or []),
            starting_position=str(props.get("StartingPosition") or "LATEST"),
            starting_timestamp=float(timestamp) if timestamp is not None else None,
            bisect=_flag(props.get("BisectBatchOnFunctionError"), False),
            max_retries=_int(props.get("MaximumRetryAttempts"), -1),
            max_record_age=_int(props.get("MaximumRecordAgeInSeconds"), -1),
            on_failure=((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"),
            filters=filters,
            concurrency=min(int(maximum), LOCAL_CONCURRENCY_CAP) if maximum else 1,
            role_arn=function_role(deployment, spec),
        )


def is_enabled(resource: Resource) -> bool:
    return _flag(resource.properties.get("Enabled"), True)


def _int(value: object, default: int) -> int:
    return default if value is None or value == "" else int(value)  # type: ignore[call-overload]


def _flag(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def find_function(deployment: Deployment, key: str) -> FunctionSpec | None:
    """By name, ARN (qualified or not), `Stack/LogicalId`, or `name:alias`."""
    if not key:
        return None
    spec = deployment.function(key)
    if spec is None and ":" in key and not key.startswith("arn:"):
        spec = deployment.function(key.split(":")[0])
    return spec


def function_resource(deployment: Deployment, spec: FunctionSpec) -> Resource | None:
    for resource in deployment.of_type("AWS::Lambda::Function"):
        if resource.address == spec.address or resource.attrs.get("Arn") == spec.arn:
            return resource
    return None


def function_role(deployment: Deployment, spec: FunctionSpec) -> str:
    resource = function_resource(deployment, spec)
    role = (resource.properties.get("Role") if resource else None) or ""
    return role if isinstance(role, str) and role else f"arn:aws:iam::{deployment.account_id}:role/{spec.name}-role"


@dataclass
class AsyncConfig:
    """Asynchronous invocation settings (Lambda defaults: 2 retries, 6 hours maximum event age)."""

    max_retries: int = 2
    max_event_age: int = 21600
    on_failure: str | None = None
    on_success: str | None = None
    dead_letter: str | None = None

    @classmethod
    def for_function(cls, deployment: Deployment, spec: FunctionSpec) -> AsyncConfig:
        config = cls()
        resource = function_resource(deployment, spec)
        if resource is not None:
            config.dead_letter = (resource.properties.get("DeadLetterConfig") or {}).get("TargetArn") or None
        for invoke_config in deployment.of_type("AWS::Lambda::EventInvokeConfig"):
            props = invoke_config.properties
            target = find_function(deployment, str(props.get("FunctionName") or ""))
            if target is None or target.arn != spec.arn:
                continue
            if props.get("MaximumRetryAttempts") is not None:
                config.max_retries = int(props["MaximumRetryAttempts"])
            if props.get("MaximumEventAgeInSeconds") is not None:
                config.max_event_age = int(props["MaximumEventAgeInSeconds"])
            destinations = props.get("DestinationConfig") or {}
            config.on_failure = (destinations.get("OnFailure") or {}).get("Destination") or None
            config.on_success = (destinations.get("OnSuccess") or {}).get("Destination") or None
        return config
