"""Step Functions state machines and activities, created in moto, whose interpreter runs the executions
(see localcloud.stepfunctions)."""

from __future__ import annotations

import json
from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import tag_list
from localcloud.provision.creators.registry import creates


@creates("AWS::StepFunctions::StateMachine")
def _state_machine(ctx: StackContext, r: Resource) -> None:
    from localcloud import stepfunctions

    p = r.properties
    stepfunctions.enable(ctx.deployment.aws_endpoint)
    name = p.get("StateMachineName") or ctx.name_for(r.logical_id, max_len=80)
    args: dict[str, Any] = {
        "name": name,
        "definition": definition(p),
        "roleArn": p.get("RoleArn") or f"arn:aws:iam::{ctx.account_id}:role/{name}",
        "type": p.get("StateMachineType", "STANDARD"),
    }
    for key in ("LoggingConfiguration", "TracingConfiguration"):
        if p.get(key):
            args[key[0].lower() + key[1:]] = _camel(p[key])
    if tag_list(p):
        args["tags"] = [{"key": t["Key"], "value": t["Value"]} for t in tag_list(p)]
    created = ctx.aws("stepfunctions").create_state_machine(**args)
    r.ref = created["stateMachineArn"]
    r.attrs = {"Arn": r.ref, "Name": name, "StateMachineRevisionId": created.get("stateMachineVersionArn") or r.ref}


def definition(p: dict[str, Any]) -> str:
    """The definition as a JSON string, with `DefinitionSubstitutions` applied as CloudFormation does:
    each `${key}` in the definition is replaced by its value."""
    if "Definition" in p:
        text = p["Definition"] if isinstance(p["Definition"], str) else json.dumps(p["Definition"])
    elif "DefinitionString" in p:
        text = p["DefinitionString"]
    elif "DefinitionS3Location" in p:
        location = p["DefinitionS3Location"]
        raise CreatorError(
            f"its definition is in S3 (s3://{location.get('Bucket')}/{location.get('Key')}), which localcloud "
            "cannot read: point DefinitionUri at the local file instead"
        )
    else:
        raise CreatorError("it has no Definition, DefinitionString or DefinitionUri")
    for key, value in (p.get("DefinitionSubstitutions") or {}).items():
        replacement = value if isinstance(value, str) else json.dumps(value)
        text = text.replace("${" + key + "}", replacement)
    return text


def _camel(value: Any) -> Any:
    """CloudFormation's PascalCase property keys as the Step Functions API's camelCase."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


@creates("AWS::StepFunctions::Activity")
def _activity(ctx: StackContext, r: Resource) -> None:
    name = r.properties.get("Name") or ctx.name_for(r.logical_id, max_len=80)
    r.ref = ctx.aws("stepfunctions").create_activity(name=name)["activityArn"]
    r.attrs = {"Name": name}
