"""What a creator knows about the stack it creates a resource in (a leaf module: creators and stacks
both import it, it imports neither)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud.model import Deployment, Resource
from localcloud.template import LoadedStack


def physical_name(stack_name: str, logical_id: str, *, max_len: int = 64, lower: bool = False) -> str:
    """A deterministic stand-in for CloudFormation's generated names: stable across restarts."""
    digest = hashlib.sha256(f"{stack_name}/{logical_id}".encode()).hexdigest()[:10].upper()
    head = f"{stack_name}-{logical_id}"[: max_len - len(digest) - 1]
    name = f"{head}-{digest}"
    return name.lower() if lower else name


class ResourceFailed(Exception):
    """A resource depends on one that does not exist or failed."""


class CreatorError(Exception):
    """A creator cannot make its resource as configured; the message says why."""


@dataclass
class StackContext:
    """What a creator needs about the stack it is created in."""

    name: str  # CloudFormation stack name
    path: str  # "" root, "Todos", "Todos/Inner"
    loaded: LoadedStack
    deployment: Deployment
    aws: Callable[[str], Any]
    region: str
    account_id: str
    deploy_stack: Callable[..., dict[str, Any]]  # Provisioner.deploy_stack, for nested applications
    created: dict[str, Resource] = field(default_factory=dict)

    def name_for(self, logical_id: str, **kwargs: Any) -> str:
        return physical_name(self.name, logical_id, **kwargs)

    def code_dir(self, s3_key: str | None) -> Path | None:
        return self.loaded.code_paths.get(s3_key or "")
