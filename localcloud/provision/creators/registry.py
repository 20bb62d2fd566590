"""The registry of creators: which function makes which CloudFormation type (a leaf module)."""

from __future__ import annotations

from collections.abc import Callable

from localcloud.model import Resource
from localcloud.provision.context import StackContext

Creator = Callable[[StackContext, Resource], None]
CREATORS: dict[str, Creator] = {}


def creates(*types: str) -> Callable[[Creator], Creator]:
    def register(fn: Creator) -> Creator:
        for kind in types:
            CREATORS[kind] = fn
        return fn

    return register
