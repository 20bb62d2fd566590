"""CloudFormation dynamic references: `{{resolve:ssm:…}}`, `{{resolve:ssm-secure:…}}` and
`{{resolve:secretsmanager:…}}` inside a resource's properties, replaced by the value at deploy time.

They are resolved after the intrinsics, so `!Sub '{{resolve:secretsmanager:${Secret}:SecretString:key}}'`
reads a secret the same stack just created, and a reference may be part of a longer string, as on AWS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

_REFERENCE = re.compile(r"\{\{resolve:(ssm|ssm-secure|secretsmanager):([^}]+)\}\}")
_ARN_PARTS = 7  # arn:aws:secretsmanager:region:account:secret:name


class DynamicReferenceError(Exception):
    """A dynamic reference names something that does not exist, or is malformed."""


def resolve_dynamic(value: Any, aws: Callable[[str], Any]) -> Any:
    """`value` with every dynamic reference in its strings replaced; anything else unchanged."""
    if isinstance(value, str):
        if "{{resolve:" not in value:
            return value
        return _REFERENCE.sub(lambda match: _lookup(match.group(1), match.group(2), aws, match.group(0)), value)
    if isinstance(value, dict):
        return {k: resolve_dynamic(v, aws) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_dynamic(v, aws) for v in value]
    return value


def _lookup(service: str, key: str, aws: Callable[[str], Any], reference: str) -> str:
    if service == "secretsmanager":
        return _secret(key, aws, reference)
    head, _, version = key.rpartition(":")
    parameter = head if head and version.isdigit() else key  # `name:version` is SSM's own selector
    ssm = aws("ssm")
    try:
        return ssm.get_parameter(Name=key, WithDecryption=service == "ssm-secure")["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound as exc:
        raise DynamicReferenceError(f"{reference}: SSM parameter {parameter} does not exist") from exc
    except ssm.exceptions.ParameterVersionNotFound as exc:
        raise DynamicReferenceError(f"{reference}: SSM parameter {parameter} has no version {version}") from exc


def _secret(key: str, aws: Callable[[str], Any], reference: str) -> str:
    parts = key.split(":")
    if parts[0] == "arn":
        secret_id, rest = ":".join(parts[:_ARN_PARTS]), parts[_ARN_PARTS:]
    else:
        secret_id, rest = parts[0], parts[1:]
    kind, json_key, stage, version_id = [*rest, "", "", "", ""][:4]
    if kind not in ("", "SecretString"):
        raise DynamicReferenceError(f"{reference}: the only secret part a reference can read is SecretString")
    args: dict[str, str] = {"SecretId": secret_id}
    if stage:
        args["VersionStage"] = stage
    if version_id:
        args["VersionId"] = version_id
    client = aws("secretsmanager")
    try:
        value = client.get_secret_value(**args).get("SecretString")
    except client.exceptions.ResourceNotFoundException as exc:
        raise DynamicReferenceError(f"{reference}: secret {secret_id} (or that version) does not exist") from exc
    if value is None:
        raise DynamicReferenceError(f"{reference}: secret {secret_id} has no SecretString")
    if not json_key:
        return value
    try:
        document = json.loads(value)
    except json.JSONDecodeError as exc:
        message = f"{reference}: secret {secret_id} is not JSON, so it has no key {json_key}"
        raise DynamicReferenceError(message) from exc
    if not isinstance(document, dict) or json_key not in document:
        raise DynamicReferenceError(f"{reference}: secret {secret_id} has no key {json_key}")
    field = document[json_key]
    return field if isinstance(field, str) else json.dumps(field)
