"""What a section of the snapshot works with, and what it reports back (a leaf module: no siblings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.model import Deployment
from localcloud.state.store import SnapshotFile


@dataclass
class Scope:
    account_id: str
    region: str
    deployment: Deployment
    file: SnapshotFile
    blob_digests: dict[tuple, str] = field(default_factory=dict)  # object identity -> body digest, across saves
    blobs_named: set[str] = field(default_factory=set)  # digests the snapshot being written refers to
    # makes a queue the app creates only on first use (a function's async queue); True if it now exists
    make_queue: Callable[[str], bool] | None = None

    def refs(self, *types: str) -> set[str]:
        """The physical ids (Ref values) of the deployment's resources of these types."""
        return {r.ref for r in self.deployment.of_type(*types) if r.ref}


@dataclass
class Restored:
    """Counts per kind of thing restored, and why anything was left out."""

    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def merge(self, other: Restored) -> None:
        for kind, n in other.counts.items():
            self.add(kind, n)
        self.skipped.extend(other.skipped)

    def summary(self) -> str:
        parts = [f"{n} {kind}" for kind, n in self.counts.items() if n]
        return ", ".join(parts) or "nothing"


def moto_backend(scope: Scope, service: str) -> Any:
    """moto's model of `service` for this account and region (S3's is global: its key is the partition)."""
    from moto.backends import get_backend

    return get_backend(service)[scope.account_id]["aws" if service == "s3" else scope.region]
