"""Secrets Manager secrets, generated values included, and the resources that attach to a secret.

A secret's `Ref` is its ARN, as CloudFormation documents (IAM policies in public apps rely on it). A
generated value is drawn from the OS, never from the resource's seeded ids, so it cannot be derived from
the template; with persistence on it is kept across restarts like the rest of the data.
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import policy_json, tag_list
from localcloud.provision.creators.registry import creates
from localcloud.provision.ids import unpredictable

_PASSWORD_OPTIONS = (
    "PasswordLength",
    "ExcludeCharacters",
    "ExcludeLowercase",
    "ExcludeNumbers",
    "ExcludePunctuation",
    "ExcludeUppercase",
    "IncludeSpace",
    "RequireEachIncludedType",
)


@creates("AWS::SecretsManager::Secret")
def _secret(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    secretsmanager = ctx.aws("secretsmanager")
    args: dict[str, Any] = {"Name": p.get("Name") or ctx.name_for(r.logical_id, max_len=256)}
    for key in ("Description", "KmsKeyId"):
        if p.get(key):
            args[key] = p[key]
    if tag_list(p):
        args["Tags"] = tag_list(p)
    value = _initial_value(secretsmanager, p, r.address)
    if value is not None:
        args["SecretString"] = value
    secret_arn = secretsmanager.create_secret(**args)["ARN"]
    r.ref = secret_arn
    r.attrs = {"Id": secret_arn}


def _initial_value(secretsmanager: Any, p: dict, address: str) -> str | None:
    if "SecretString" in p and "GenerateSecretString" in p:
        raise CreatorError("SecretString and GenerateSecretString are mutually exclusive")
    if "SecretString" in p:
        return str(p["SecretString"])
    spec = p.get("GenerateSecretString")
    if spec is None:
        return None
    options = {key: spec[key] for key in _PASSWORD_OPTIONS if key in spec}
    if "PasswordLength" in options:
        options["PasswordLength"] = int(options["PasswordLength"])
    with unpredictable():
        password = secretsmanager.get_random_password(**options)["RandomPassword"]
    template, key = spec.get("SecretStringTemplate"), spec.get("GenerateStringKey")
    if bool(template) != bool(key):
        raise CreatorError("GenerateSecretString needs both SecretStringTemplate and GenerateStringKey, or neither")
    if not template:
        return password
    try:
        document = json.loads(template)
    except json.JSONDecodeError as exc:
        raise CreatorError(f"SecretStringTemplate is not a JSON object: {exc}") from exc
    if not isinstance(document, dict):
        raise CreatorError("SecretStringTemplate is not a JSON object")
    return json.dumps({**document, key: password})


@creates("AWS::SecretsManager::ResourcePolicy")
def _resource_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ctx.aws("secretsmanager").put_resource_policy(
        SecretId=p["SecretId"], ResourcePolicy=policy_json(p["ResourcePolicy"])
    )
    r.ref = p["SecretId"]


@creates("AWS::SecretsManager::SecretTargetAttachment")
def _target_attachment(ctx: StackContext, r: Resource) -> None:
    """Its Ref is the secret's ARN. The host and port it would add to the secret come from a database,
    and databases are not emulated, so the secret keeps the value it has."""
    r.ref = r.properties["SecretId"]
