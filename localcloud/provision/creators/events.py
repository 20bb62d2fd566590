"""EventBridge buses and rules, and EventBridge Scheduler schedules, made in moto.

Patterns, schedule expressions and target inputs are checked here with the same code that later
matches and fires them, so a template EventBridge would refuse fails at start-up, naming the resource.
Delivery is localcloud.eventbridge's job: moto only stores the rules and schedules.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from localcloud.eventbridge.entries import bus_name
from localcloud.eventbridge.schedule_expressions import ScheduleError
from localcloud.eventbridge.schedule_expressions import parse as parse_schedule
from localcloud.eventbridge.transform import TransformError, validate_target_input
from localcloud.model import Resource
from localcloud.patterns import EventPattern, PatternError
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import tag_list
from localcloud.provision.creators.registry import creates

_TARGET_KEYS = (
    "Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "RetryPolicy", "DeadLetterConfig",
    "SqsParameters", "KinesisParameters", "HttpParameters", "EcsParameters", "BatchParameters",
    "RunCommandParameters", "RedshiftDataParameters", "SageMakerPipelineParameters", "AppSyncParameters",
)  # fmt: skip
_RETRY_NUMBERS = ("MaximumRetryAttempts", "MaximumEventAgeInSeconds")


@creates("AWS::Events::EventBus")
def _event_bus(ctx: StackContext, r: Resource) -> None:
    name = r.properties.get("Name") or ctx.name_for(r.logical_id, max_len=256)
    tags = tag_list(r.properties)
    bus_arn = ctx.aws("events").create_event_bus(Name=name, **({"Tags": tags} if tags else {}))["EventBusArn"]
    r.ref = name
    r.attrs = {"Arn": bus_arn, "Name": name, "Policy": ""}


@creates("AWS::Events::Rule")
def _rule(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("Name") or ctx.name_for(r.logical_id, max_len=64)
    args: dict[str, Any] = {"Name": name, "State": p.get("State") or "ENABLED"}
    bus = bus_name(p.get("EventBusName"))
    if bus != "default":
        args["EventBusName"] = bus
    if p.get("EventPattern") is not None:
        args["EventPattern"] = checked_pattern(p["EventPattern"])
    if p.get("ScheduleExpression"):
        checked_schedule(p["ScheduleExpression"])
        args["ScheduleExpression"] = p["ScheduleExpression"]
    if "EventPattern" not in args and "ScheduleExpression" not in args:
        raise CreatorError("a rule needs an EventPattern or a ScheduleExpression")
    for key in ("Description", "RoleArn"):
        if p.get(key):
            args[key] = p[key]
    events = ctx.aws("events")
    rule_arn = events.put_rule(**args)["RuleArn"]
    targets = [rule_target(t) for t in p.get("Targets") or []]
    if targets:
        failed = events.put_targets(Rule=name, EventBusName=bus, Targets=targets).get("FailedEntries") or []
        if failed:
            raise CreatorError(f"targets refused: {failed}")
    r.ref = name if bus == "default" else f"{bus}|{name}"
    r.attrs = {"Arn": rule_arn}


@creates("AWS::Scheduler::Schedule")
def _schedule(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("Name") or ctx.name_for(r.logical_id, max_len=64)
    timezone = p.get("ScheduleExpressionTimezone") or "UTC"
    checked_schedule(p.get("ScheduleExpression") or "", timezone)
    target = dict(p.get("Target") or {})
    if not target.get("Arn"):
        raise CreatorError("a schedule needs a Target with an Arn")
    if target.get("Input") is not None and not isinstance(target["Input"], str):
        target["Input"] = json.dumps(target["Input"])
    if target.get("RetryPolicy"):
        target["RetryPolicy"] = _numbers(target["RetryPolicy"])
    args: dict[str, Any] = {
        "Name": name,
        "ScheduleExpression": p["ScheduleExpression"],
        "ScheduleExpressionTimezone": timezone,
        "FlexibleTimeWindow": _numbers(p.get("FlexibleTimeWindow") or {"Mode": "OFF"}),
        "Target": target,
        "State": p.get("State") or "ENABLED",
    }
    if p.get("GroupName"):
        args["GroupName"] = p["GroupName"]
    for key in ("Description", "KmsKeyArn", "ActionAfterCompletion"):
        if p.get(key):
            args[key] = p[key]
    for key in ("StartDate", "EndDate"):
        if p.get(key):
            args[key] = _timestamp(p[key], key)
    made = ctx.aws("scheduler").create_schedule(**args)
    r.ref = name
    r.attrs = {"Arn": made["ScheduleArn"]}


def checked_pattern(pattern: Any) -> str:
    try:
        EventPattern.parse(pattern if isinstance(pattern, str) else dict(pattern), where="EventPattern")
    except PatternError as exc:
        raise CreatorError(f"Event pattern is not valid. Reason: {exc}") from None
    return pattern if isinstance(pattern, str) else json.dumps(pattern)


def checked_schedule(expression: str, timezone: str | None = None) -> None:
    try:
        parse_schedule(expression, timezone)
    except ScheduleError as exc:
        raise CreatorError(f"Parameter ScheduleExpression is not valid: {exc}") from None


def rule_target(target: dict) -> dict:
    """A CloudFormation rule target in PutTargets' shape (numbers as numbers), its input checked."""
    out = {k: target[k] for k in _TARGET_KEYS if k in target and target[k] is not None}
    if out.get("RetryPolicy"):
        out["RetryPolicy"] = _numbers(out["RetryPolicy"])
    if isinstance(out.get("Input"), (dict, list)):
        out["Input"] = json.dumps(out["Input"])
    transformer = out.get("InputTransformer")
    if transformer and isinstance(transformer.get("InputPathsMap"), str):
        out["InputTransformer"] = {**transformer, "InputPathsMap": json.loads(transformer["InputPathsMap"])}
    try:
        validate_target_input(out)
    except TransformError as exc:
        raise CreatorError(str(exc)) from None
    return out


def _numbers(values: dict) -> dict:
    return {k: int(v) if k in (*_RETRY_NUMBERS, "MaximumWindowInMinutes") else v for k, v in values.items()}


def _timestamp(value: Any, key: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise CreatorError(f"{key} {value!r} is not an ISO 8601 date and time") from None
