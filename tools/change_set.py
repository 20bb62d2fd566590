"""A CloudFormation change set and the change sets of its nested stacks, read into one tree.

`sam deploy` shows only the root stack's changes: a change inside a nested application is one line,
"Modify Todos AWS::CloudFormation::Stack", with no word of which table it replaces. A change set created
with `IncludeNestedStacks=True` holds one change set per nested stack, linked from the parent's change by
its `ChangeSetId`; this module creates such a change set (never executes it) and follows those links.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from botocore.exceptions import ClientError

PENDING = ("CREATE_PENDING", "CREATE_IN_PROGRESS")
# What CloudFormation says of a change set with nothing to do (its status is FAILED all the same).
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
# CreateChangeSet takes a TemplateBody up to this size; a larger template goes through S3.
BODY_LIMIT = 51_200
NESTED_STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class Detail:
    """One cause of a resource change: which attribute (and property) changes, and whether that recreates."""

    attribute: str  # Properties, Metadata, CreationPolicy, UpdatePolicy, DeletionPolicy, Tags
    name: str  # the property, for attribute Properties
    recreation: str  # Never, Conditionally, Always
    evaluation: str  # Static, Dynamic
    source: str  # DirectModification, ResourceReference, ParameterReference, ...
    causing: str  # the resource or parameter the change comes from, when one does

    @property
    def path(self) -> str:
        return f"{self.attribute}.{self.name}" if self.name else self.attribute


@dataclass(frozen=True)
class Change:
    action: str  # Add, Modify, Remove, Import, Dynamic
    logical_id: str
    physical_id: str
    type: str
    replacement: str  # True, False, Conditional (empty unless the action is Modify)
    scope: tuple[str, ...]
    details: tuple[Detail, ...]
    policy_action: str  # what a Remove does: Delete, Retain, Snapshot, ...
    nested: ChangeSet | None = None


@dataclass(frozen=True)
class ChangeSet:
    stack: str
    name: str
    arn: str
    status: str
    reason: str
    execution: str
    changes: tuple[Change, ...] = field(default=())

    @property
    def no_changes(self) -> bool:
        return self.status == "FAILED" and any(text in self.reason for text in NO_CHANGES)

    @property
    def failed(self) -> bool:
        return self.status == "FAILED" and not self.no_changes

    def walk(self, path: tuple[str, ...] = ()):
        """(path of nested logical ids, change set) for this change set and every nested one."""
        yield path, self
        for change in self.changes:
            if change.nested is not None:
                yield from change.nested.walk((*path, change.logical_id))


class ChangeSetError(Exception):
    """The change set could not be created or read (the message says why)."""


def _detail(raw: dict) -> Detail:
    target = raw.get("Target") or {}
    return Detail(
        attribute=target.get("Attribute", ""),
        name=target.get("Name", ""),
        recreation=target.get("RequiresRecreation", ""),
        evaluation=raw.get("Evaluation", ""),
        source=raw.get("ChangeSource", ""),
        causing=raw.get("CausingEntity", ""),
    )


def _change(raw: dict, nested: ChangeSet | None) -> Change:
    return Change(
        action=raw.get("Action", ""),
        logical_id=raw.get("LogicalResourceId", ""),
        physical_id=raw.get("PhysicalResourceId", ""),
        type=raw.get("ResourceType", ""),
        replacement=raw.get("Replacement", ""),
        scope=tuple(raw.get("Scope") or ()),
        details=tuple(_detail(d) for d in raw.get("Details") or ()),
        policy_action=raw.get("PolicyAction", ""),
        nested=nested,
    )


class Reader:
    """Reads change sets through a CloudFormation client, waiting while one is still being created."""

    def __init__(
        self,
        client: Any,
        *,
        timeout: float = 900,
        interval: float = 5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client, self.timeout, self.interval, self.sleep, self.clock = client, timeout, interval, sleep, clock

    def _pages(self, name: str, stack: str | None) -> list[dict]:
        """Every page of one change set (describe_change_set pages its Changes through NextToken)."""
        args = {"ChangeSetName": name, **({"StackName": stack} if stack else {})}
        deadline = self.clock() + self.timeout
        first = self.client.describe_change_set(**args)
        while first["Status"] in PENDING:
            if self.clock() >= deadline:
                raise ChangeSetError(f"{name}: still {first['Status']} after {self.timeout:.0f} s")
            self.sleep(self.interval)
            first = self.client.describe_change_set(**args)
        pages = [first]
        while token := pages[-1].get("NextToken"):
            pages.append(self.client.describe_change_set(**args, NextToken=token))
        return pages

    def read(self, name: str, stack: str | None = None) -> ChangeSet:
        """The change set (by name with its stack, or by ARN alone) and, recursively, its nested ones."""
        pages = self._pages(name, stack)
        first = pages[0]
        changes = []
        for page in pages:
            for raw in page.get("Changes") or ():
                resource = raw.get("ResourceChange")
                if raw.get("Type") != "Resource" or resource is None:
                    continue
                nested_id = resource.get("ChangeSetId")
                nested = self.read(nested_id) if resource.get("ResourceType") == NESTED_STACK and nested_id else None
                changes.append(_change(resource, nested))
        return ChangeSet(
            stack=first.get("StackName", stack or ""),
            name=first.get("ChangeSetName", name),
            arn=first.get("ChangeSetId", name),
            status=first["Status"],
            reason=first.get("StatusReason", ""),
            execution=first.get("ExecutionStatus", ""),
            changes=tuple(changes),
        )


class _TagTolerantLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags as nulls: only the parameter names matter here."""


_TagTolerantLoader.add_multi_constructor("!", lambda _loader, _suffix, _node: None)


def template_parameters(body: str) -> list[str]:
    return list((yaml.load(body, Loader=_TagTolerantLoader) or {}).get("Parameters") or {})  # noqa: S506


def artifact_bucket(body: str) -> str | None:
    """The bucket `sam package` uploaded the artifacts to, read from the packaged template."""
    found = re.search(r"s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/", body) or re.search(
        r"https://s3[.-][a-z0-9-]*\.?amazonaws\.com/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/", body
    )
    return found.group(1) if found else None


@dataclass(frozen=True)
class Request:
    """What `make deploy` would send, as a change set that is never executed."""

    stack: str
    name: str
    body: str
    parameters: dict[str, str]
    capabilities: tuple[str, ...]
    region: str
    bucket: str | None = None  # for a template over BODY_LIMIT


class Creator:
    """Creates a change set with every nested stack's changes included (IncludeNestedStacks)."""

    def __init__(self, cloudformation: Any, s3: Callable[[], Any]):
        self.cloudformation, self.s3 = cloudformation, s3

    def _existing(self, stack: str) -> dict | None:
        try:
            (found,) = self.cloudformation.describe_stacks(StackName=stack)["Stacks"]
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise
        # A stack that only ever had a CREATE change set exists in REVIEW_IN_PROGRESS: still a create.
        return None if found["StackStatus"] == "REVIEW_IN_PROGRESS" else found

    def _parameters(self, request: Request, existing: dict | None) -> list[dict]:
        """The overrides, and (as `sam deploy` does) the previous value of every other existing parameter."""
        values = [{"ParameterKey": k, "ParameterValue": v} for k, v in request.parameters.items()]
        if existing is not None:
            previous = {p["ParameterKey"] for p in existing.get("Parameters") or ()}
            for name in template_parameters(request.body):
                if name in previous and name not in request.parameters:
                    values.append({"ParameterKey": name, "UsePreviousValue": True})
        return values

    def _template(self, request: Request) -> dict[str, str]:
        if len(request.body.encode()) <= BODY_LIMIT:
            return {"TemplateBody": request.body}
        bucket = request.bucket or artifact_bucket(request.body)
        if not bucket:
            raise ChangeSetError(f"the template is over {BODY_LIMIT} bytes and no S3 bucket was given or found")
        key = f"changes/{hashlib.sha256(request.body.encode()).hexdigest()}.template"
        self.s3().put_object(Bucket=bucket, Key=key, Body=request.body.encode())
        return {"TemplateURL": f"https://s3.{request.region}.amazonaws.com/{bucket}/{key}"}

    def create(self, request: Request) -> str:
        """The new change set's ARN (it may still be in CREATE_IN_PROGRESS)."""
        existing = self._existing(request.stack)
        response = self.cloudformation.create_change_set(
            StackName=request.stack,
            ChangeSetName=request.name,
            ChangeSetType="UPDATE" if existing else "CREATE",
            **self._template(request),
            Parameters=self._parameters(request, existing),
            Capabilities=list(request.capabilities),
            IncludeNestedStacks=True,
            Description="make changes: a preview, never executed by it",
        )
        return response["Id"]
