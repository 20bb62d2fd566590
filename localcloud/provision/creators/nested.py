"""Nested applications: each becomes a stack of its own, deployed through the provisioner."""

from __future__ import annotations

from localcloud.model import Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.apis import api_id
from localcloud.provision.creators.registry import creates


@creates("AWS::CloudFormation::Stack")
def _nested_stack(ctx: StackContext, r: Resource) -> None:
    url = r.properties.get("TemplateURL")
    template = ctx.loaded.nested_paths.get(url)
    if template is None:
        raise CreatorError(f"nested template {url} is not a local file")
    if not template.exists():
        raise CreatorError(f"nested template {template} does not exist")
    name = ctx.name_for(r.logical_id, max_len=128)
    path = f"{ctx.path}/{r.logical_id}" if ctx.path else r.logical_id
    parameters = {k: v for k, v in (r.properties.get("Parameters") or {}).items()}
    outputs = ctx.deploy_stack(template, name=name, path=path, parameters=parameters, deployment=ctx.deployment)
    r.ref = f"arn:aws:cloudformation:{ctx.region}:{ctx.account_id}:stack/{name}/{api_id(ctx, r.logical_id)}"
    r.attrs = {f"Outputs.{k}": v for k, v in outputs.items()}
