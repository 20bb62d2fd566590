"""cfn-lint rules for what checkov misses: nothing an event carries is lost, and no log is kept forever.

cfn-lint loads this file with `--append-rules tools/cfn_rules` (make validate). cfn-lint checks SAM
templates as written, so these rules run the SAM transform themselves (samtranslator, from the same venv)
and judge what CloudFormation would get: a SAM `Events:` block is checked as the mappings and permissions
it becomes. A finding points at the template's own resource it came from. A resource opts out as for any
cfn-lint rule, with a reason beside it: `Metadata: {cfn-lint: {config: {ignore_checks: [E9101]}}}`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from typing import Any

from cfnlint.rules import CloudFormationLintRule, RuleMatch

ASYNC_PRINCIPALS = ("sns.amazonaws.com", "s3.amazonaws.com", "events.amazonaws.com", "scheduler.amazonaws.com")


def _refs(value: Any) -> Iterator[str]:
    """Logical ids a value points at through Ref, Fn::GetAtt or Fn::Sub."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                target = inner[0] if isinstance(inner, list) else str(inner).split(".")[0]
                yield target
            elif key == "Fn::Sub":
                text = inner[0] if isinstance(inner, list) else inner
                if isinstance(text, str):
                    for part in text.split("${")[1:]:
                        yield part.split("}")[0].split(".")[0]
            yield from _refs(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _refs(inner)


def _find(value: Any, names: tuple[str, ...]) -> Iterator[Any]:
    """Every value stored under one of these keys, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in names:
                yield inner
            yield from _find(inner, names)
    elif isinstance(value, list):
        for inner in value:
            yield from _find(inner, names)


class _Policies:
    """Managed policy ARNs for the transform, with no call to IAM."""

    def load(self) -> dict[str, str]:
        names = (
            "AWSLambdaBasicExecutionRole",
            "AWSLambdaVPCAccessExecutionRole",
            "AWSLambdaKinesisExecutionRole",
            "AWSLambdaDynamoDBExecutionRole",
            "AWSLambdaSQSQueueExecutionRole",
            "AWSLambdaRole",
        )
        found = {name: f"arn:aws:iam::aws:policy/service-role/{name}" for name in names}
        found["AWSXrayWriteOnlyAccess"] = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"
        return found


def _packaged(template: dict) -> dict:
    """Local code paths as `sam package` leaves them (S3 URIs), the one thing the transform needs."""
    for res in (template.get("Resources") or {}).values():
        props = res.get("Properties") if isinstance(res, dict) else None
        if isinstance(props, dict):
            for key in ("CodeUri", "ContentUri", "DefinitionUri"):
                if isinstance(props.get(key), str) and not props[key].startswith("s3://"):
                    props[key] = f"s3://artifacts/{props[key].strip('./') or 'root'}"
    function_globals = (template.get("Globals") or {}).get("Function") or {}
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = "s3://artifacts/code"
    return template


_CACHE: dict[int, dict[str, dict]] = {}


def _resources(cfn) -> dict[str, dict]:
    """The resources CloudFormation would get: after the SAM transform when the template declares it."""
    key = id(cfn.template)
    if key not in _CACHE:
        template = cfn.template
        transforms = template.get("Transform") or []
        if "AWS::Serverless-2016-10-31" in (transforms if isinstance(transforms, list) else [transforms]):
            from samtranslator.translator.transform import transform

            os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
            try:
                template = transform(_packaged(copy.deepcopy(template)), {}, _Policies())
            except Exception:
                template = cfn.template
        _CACHE[key] = {n: r for n, r in (template.get("Resources") or {}).items() if isinstance(r, dict)}
    return _CACHE[key]


def _origin(cfn, name: str) -> list[str]:
    """The path of the template's own resource a transformed resource came from (`FnStream` → `Fn`)."""
    own = cfn.template.get("Resources") or {}
    if name in own:
        return ["Resources", name]
    parents = [own_name for own_name in own if name.startswith(own_name)]
    return ["Resources", max(parents, key=len)] if parents else ["Resources"]


class QueueHasDeadLetterQueue(CloudFormationLintRule):
    """Every SQS queue either redrives to a DLQ or is itself where failures go."""

    id = "E9101"
    shortdesc = "SQS queue without a dead-letter queue"
    description = "A queue needs a RedrivePolicy, unless it is a DLQ or an on-failure destination itself"
    tags = ["sqs", "reliability"]

    FAILURE_KEYS = ("deadLetterTargetArn", "DeadLetterConfig", "OnFailure", "DeadLetterQueue", "RedrivePolicy")

    def match(self, cfn) -> list[RuleMatch]:
        resources = _resources(cfn)
        catchers = {
            ref for res in resources.values() for found in _find(res, self.FAILURE_KEYS) for ref in _refs(found)
        }
        return [
            RuleMatch(
                _origin(cfn, name),
                f"Queue {name} has no RedrivePolicy (a DLQ): failed messages would retry until they expire",
            )
            for name, res in resources.items()
            if res.get("Type") == "AWS::SQS::Queue"
            and "RedrivePolicy" not in (res.get("Properties") or {})
            and name not in catchers
        ]


class ConsumerHasOnFailureDestination(CloudFormationLintRule):
    """Stream consumers and asynchronously invoked functions say where a failed event goes."""

    id = "E9102"
    shortdesc = "Stream or async consumer without an on-failure destination"
    description = (
        "A Kinesis or DynamoDB stream mapping needs DestinationConfig.OnFailure; a function that SNS, S3 or "
        "EventBridge invoke needs an EventInvokeConfig OnFailure destination or a DeadLetterConfig"
    )
    tags = ["lambda", "reliability"]

    def match(self, cfn) -> list[RuleMatch]:
        resources = _resources(cfn)
        matches = []
        for name, res in resources.items():
            props = res.get("Properties") or {}
            is_stream = res.get("Type") == "AWS::Lambda::EventSourceMapping" and "StartingPosition" in props
            if is_stream and not (props.get("DestinationConfig") or {}).get("OnFailure"):
                message = f"Stream mapping {name} has no DestinationConfig.OnFailure: a poison record is retried"
                matches.append(RuleMatch(_origin(cfn, name), message + " until it expires, then lost"))
        handled = set()
        for name, res in resources.items():
            props = res.get("Properties") or {}
            on_failure = (props.get("DestinationConfig") or {}).get("OnFailure")
            if res.get("Type") == "AWS::Lambda::EventInvokeConfig" and on_failure:
                handled |= set(_refs(props.get("FunctionName")))
            if res.get("Type") == "AWS::Lambda::Function" and props.get("DeadLetterConfig"):
                handled.add(name)
        for res in resources.values():
            props = res.get("Properties") or {}
            if res.get("Type") != "AWS::Lambda::Permission" or props.get("Principal") not in ASYNC_PRINCIPALS:
                continue
            for function in _refs(props.get("FunctionName")):
                target = resources.get(function, {})
                if target.get("Type") == "AWS::Lambda::Function" and function not in handled:
                    message = f"Function {function} is invoked asynchronously by {props['Principal']} and has no"
                    message += " on-failure destination or DLQ: an event that fails 3 times is lost"
                    matches.append(RuleMatch(_origin(cfn, function), message))
                    handled.add(function)
        return matches


class LogsHaveRetention(CloudFormationLintRule):
    """Every log group has a retention, including the one Lambda would create for a function by itself."""

    id = "E9103"
    shortdesc = "Log kept forever"
    description = (
        "An AWS::Logs::LogGroup needs RetentionInDays; a function needs LoggingConfig.LogGroup naming one, "
        "since the log group Lambda creates by itself never expires"
    )
    tags = ["logs", "cost"]

    def match(self, cfn) -> list[RuleMatch]:
        resources = _resources(cfn)
        matches = []
        for name, res in resources.items():
            props = res.get("Properties") or {}
            if res.get("Type") == "AWS::Logs::LogGroup" and "RetentionInDays" not in props:
                message = f"Log group {name} has no RetentionInDays: it is kept, and paid for, forever"
                matches.append(RuleMatch(_origin(cfn, name), message))
            if res.get("Type") == "AWS::Lambda::Function" and not (props.get("LoggingConfig") or {}).get("LogGroup"):
                message = f"Function {name} has no LoggingConfig.LogGroup: Lambda creates /aws/lambda/<name>"
                matches.append(RuleMatch(_origin(cfn, name), message + " with no retention"))
        return matches
