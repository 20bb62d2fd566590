"""Which local function, version or alias a Lambda API caller names, and how Lambda describes it.

A caller names a function by name, `name:qualifier`, partial ARN (`ACCOUNT:function:name`) or full ARN,
with or without a separate `Qualifier`. Versions and aliases are the template's (`AWS::Lambda::Version`,
`AWS::Lambda::Alias`, what SAM's `AutoPublishAlias` makes); every one of them runs the function's one
local code, as the alias of a just-published version does. The configuration shapes are
GetFunctionConfiguration's, with the fields boto3 users read.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localcloud.model import Deployment, FunctionSpec, Resource

LATEST = "$LATEST"
_NAME = re.compile(
    r"^(?:arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):)?(?:function:)?"
    r"(?P<name>[a-zA-Z0-9_-]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]+))?$"
)


class LambdaError(Exception):
    """An error answer of the Lambda API: its status, `x-amzn-ErrorType` code and message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def not_found(arn: str) -> LambdaError:
    return LambdaError(404, "ResourceNotFoundException", f"Function not found: {arn}")


@dataclass(frozen=True)
class Target:
    """One resolved invocation target: the function, the qualifier asked for and the version it runs."""

    spec: FunctionSpec
    qualifier: str | None  # None for an unqualified name or ARN
    version: str  # what X-Amz-Executed-Version says: "$LATEST" or a version number

    @property
    def arn(self) -> str:
        """The ARN the caller invoked (qualified when it named a qualifier), as the context reports it."""
        return f"{self.spec.arn}:{self.qualifier}" if self.qualifier else self.spec.arn


@dataclass(frozen=True)
class Alias:
    name: str
    version: str
    description: str


class Catalog:
    def __init__(self, deployment: Deployment):
        self.deployment = deployment
        self.versions: dict[str, list[str]] = {}  # function ARN -> published version numbers
        self.aliases: dict[str, dict[str, Alias]] = {}  # function ARN -> alias name -> alias
        self.updates: dict[str, dict[str, Any]] = {}  # function ARN -> what UpdateFunctionConfiguration changed
        for resource in deployment.of_type("AWS::Lambda::Version"):
            spec = self._owner(resource)
            if spec is not None:
                self.versions.setdefault(spec.arn, []).append(str(resource.attrs.get("Version") or "1"))
        for resource in deployment.of_type("AWS::Lambda::Alias"):
            spec = self._owner(resource)
            props = resource.properties
            if spec is not None and props.get("Name"):
                alias = Alias(
                    str(props["Name"]), str(props.get("FunctionVersion") or LATEST), str(props.get("Description") or "")
                )
                self.aliases.setdefault(spec.arn, {})[alias.name] = alias

    def _owner(self, resource: Resource) -> FunctionSpec | None:
        key = str(resource.properties.get("FunctionName") or "")
        match = _NAME.match(key)
        return self.deployment.function(match.group("name")) if match else self.deployment.function(key)

    def functions(self) -> list[FunctionSpec]:
        return sorted(self.deployment.functions.values(), key=lambda spec: spec.name)

    def resolve(self, function_name: str, qualifier: str | None = None) -> Target:
        """The target a FunctionName (and Qualifier) names, or the LambdaError Lambda answers."""
        region, account = self.deployment.region, self.deployment.account_id
        match = _NAME.match(function_name or "")
        if match is None:
            raise LambdaError(
                400,
                "ValidationException",
                f"1 validation error detected: Value '{function_name}' at 'functionName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: "
                r"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?"
                r"([a-zA-Z0-9-_\.]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?",
            )
        name, derived = match.group("name"), match.group("qualifier")
        if derived and qualifier and derived != qualifier:
            raise LambdaError(
                400,
                "InvalidParameterValueException",
                "The derived qualifier from the function name does not match the specified qualifier.",
            )
        qualifier = qualifier or derived
        arn = f"arn:aws:lambda:{region}:{match.group('account') or account}:function:{name}"
        spec = self.deployment.functions.get(arn)
        if spec is None or (match.group("region") or region) != region:
            raise not_found(f"{arn}:{qualifier}" if qualifier else arn)
        if qualifier is None or qualifier == LATEST:
            return Target(spec, qualifier, LATEST)
        if qualifier in self.versions.get(spec.arn, []):
            return Target(spec, qualifier, qualifier)
        alias = self.aliases.get(spec.arn, {}).get(qualifier)
        if alias is None:
            raise not_found(f"{spec.arn}:{qualifier}")
        return Target(spec, qualifier, alias.version)

    def record_update(self, spec: FunctionSpec, description: str | None) -> None:
        """An UpdateFunctionConfiguration of `spec`: a new LastModified and RevisionId (and Description)."""
        update = self.updates.setdefault(spec.arn, {"count": 0})
        update["count"] += 1
        update["LastModified"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        if description is not None:
            update["Description"] = str(description)

    # shapes ------------------------------------------------------------------------------------------

    def configuration(self, spec: FunctionSpec, version: str = LATEST) -> dict[str, Any]:
        """GetFunctionConfiguration's answer for the function (at `version`)."""
        resource = self._resource(spec)
        props = resource.properties if resource else {}
        digest = _code_digest(spec)
        update = self.updates.get(spec.arn, {}) if version == LATEST else {}
        config: dict[str, Any] = {
            "FunctionName": spec.name,
            "FunctionArn": spec.arn if version == LATEST else f"{spec.arn}:{version}",
            "Runtime": spec.runtime,
            "Role": str(props.get("Role") or f"arn:aws:iam::{self.deployment.account_id}:role/{spec.name}-role"),
            "Handler": spec.handler,
            "CodeSize": 0,
            "Description": update.get("Description", str(props.get("Description") or "")),
            "Timeout": spec.timeout,
            "MemorySize": spec.memory,
            "LastModified": update.get("LastModified", _STARTED),
            "CodeSha256": digest,
            "Version": version,
            "Environment": {"Variables": dict(spec.environment)},
            "TracingConfig": {"Mode": str((props.get("TracingConfig") or {}).get("Mode") or "PassThrough")},
            "RevisionId": _revision(spec, version, update.get("count", 0)),
            "Layers": [{"Arn": str(arn), "CodeSize": 0} for arn in props.get("Layers") or []],
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": "Zip",
            "Architectures": list(spec.architectures),
            "EphemeralStorage": {"Size": int((props.get("EphemeralStorage") or {}).get("Size") or 512)},
            "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
            "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{spec.name}"},
        }
        dead_letter = (props.get("DeadLetterConfig") or {}).get("TargetArn")
        if dead_letter:
            config["DeadLetterConfig"] = {"TargetArn": dead_letter}
        return config

    def alias_shape(self, spec: FunctionSpec, alias: Alias) -> dict[str, Any]:
        return {
            "AliasArn": f"{spec.arn}:{alias.name}",
            "Name": alias.name,
            "FunctionVersion": alias.version,
            "Description": alias.description,
            "RevisionId": _revision(spec, alias.name),
        }

    def _resource(self, spec: FunctionSpec) -> Resource | None:
        for resource in self.deployment.of_type("AWS::Lambda::Function"):
            if resource.attrs.get("Arn") == spec.arn:
                return resource
        return None


_STARTED = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _code_digest(spec: FunctionSpec) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(f"{spec.code_dir}|{spec.handler}".encode()).digest()).decode()


def _revision(spec: FunctionSpec, qualifier: str, updates: int = 0) -> str:
    digest = hashlib.sha256(f"{spec.arn}:{qualifier}:{updates}".encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def event_invoke_config(deployment: Deployment, spec: FunctionSpec) -> dict[str, Any] | None:
    """GetFunctionEventInvokeConfig's answer: the function's `AWS::Lambda::EventInvokeConfig`, if any."""
    for resource in deployment.of_type("AWS::Lambda::EventInvokeConfig"):
        props = resource.properties
        key = str(props.get("FunctionName") or "")
        if deployment.function(key.split(":")[0] if not key.startswith("arn:") else key) is not spec:
            continue
        config: dict[str, Any] = {
            "LastModified": _STARTED_EPOCH,
            "FunctionArn": f"{spec.arn}:{props.get('Qualifier') or LATEST}",
            "MaximumRetryAttempts": int(props.get("MaximumRetryAttempts", 2)),
            "MaximumEventAgeInSeconds": int(props.get("MaximumEventAgeInSeconds", 21600)),
        }
        destinations = props.get("DestinationConfig") or {}
        if destinations:
            config["DestinationConfig"] = {
                kind: {"Destination": (destinations.get(kind) or {}).get("Destination")}
                for kind in ("OnSuccess", "OnFailure")
                if (destinations.get(kind) or {}).get("Destination")
            }
        return config
    return None


_STARTED_EPOCH = datetime.now(UTC).timestamp()
