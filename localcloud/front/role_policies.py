"""A role's inline and attached managed policies, read from moto through boto3 and cached: entries
live `ttl` seconds and are dropped at once when an IAM write passes through the front."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

PolicyList = list[tuple[str, dict]]


class PolicyStore:
    def __init__(self, aws: Callable[[str], Any], ttl: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self._aws = aws
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._roles: dict[str, tuple[float, int, PolicyList]] = {}
        self._generation = 0

    def invalidate_roles(self) -> None:
        with self._lock:
            self._generation += 1
            self._roles.clear()

    def role_policies(self, role_arn: str) -> PolicyList:
        """The role's inline and attached managed policy documents as (name, document)."""
        now = self._clock()
        cached = self._roles.get(role_arn)
        if cached and cached[0] > now and cached[1] == self._generation:
            return cached[2]
        generation = self._generation
        policies = self._load_role(role_arn.rsplit("/", 1)[-1])
        with self._lock:
            if generation == self._generation:
                self._roles[role_arn] = (now + self.ttl, generation, policies)
        return policies

    def _load_role(self, role_name: str) -> PolicyList:
        iam = self._aws("iam")
        policies: PolicyList = []
        try:
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=role_name):
                for name in page["PolicyNames"]:
                    document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
                    policies.append((f"{role_name}/{name}", _document(document)))
            for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name):
                for attached in page["AttachedPolicies"]:
                    arn = attached["PolicyArn"]
                    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
                    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
                    policies.append((arn, _document(document)))
        except iam.exceptions.NoSuchEntityException:
            return []
        return policies


def _document(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    text = str(value)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(unquote(text))
