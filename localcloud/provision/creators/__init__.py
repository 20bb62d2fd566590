"""One creator per CloudFormation resource type: make it in moto (or register it locally) and fill in
the resource's Ref and GetAtt values the way CloudFormation documents them.

Each module registers its creators with `@creates`; importing this package imports them all. A type with
no creator gets a placeholder: deterministic ids, and its address in `Deployment.not_emulated`, which the
start-up output prints as one line.
"""

from __future__ import annotations

import logging

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators import (  # noqa: F401 - each registers its creators
    apis,
    cloudfront,
    cognito,
    dax,
    events,
    firehose,
    functions,
    generic,
    iam,
    messaging,
    nested,
    secrets,
    stepfunctions,
    storage,
)
from localcloud.provision.creators.common import arn
from localcloud.provision.creators.registry import CREATORS

log = logging.getLogger("localcloud.provision")


def create(ctx: StackContext, resource: Resource) -> None:
    creator = CREATORS.get(resource.type)
    if creator is None:
        _placeholder(ctx, resource)
        ctx.deployment.not_emulated.append(f"{resource.address} ({resource.type})")
        log.info("%s: %s is not emulated; only its ids exist", resource.address, resource.type)
        return
    creator(ctx, resource)


def _placeholder(ctx: StackContext, resource: Resource) -> None:
    name = ctx.name_for(resource.logical_id)
    service = resource.type.split("::")[1].lower() if resource.type.count("::") == 2 else "unknown"
    resource.ref = name
    resource.attrs = {"Arn": arn(ctx, service, name)}
