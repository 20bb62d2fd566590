"""Stacks: parameters, conditions, dependency order, nested applications and outputs.

Each resource is created by the creator registered for its type (`creators`). A resource that
fails is reported in `Deployment.errors` by its address and the rest of the stack goes on, so one bad
resource never takes the whole runtime down.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from localcloud.intrinsics import IntrinsicError, Resolver, references
from localcloud.model import Deployment, Resource
from localcloud.provision import creators
from localcloud.provision.context import CreatorError, ResourceFailed, StackContext
from localcloud.provision.dynamic_refs import DynamicReferenceError, resolve_dynamic
from localcloud.provision.ids import ids_from
from localcloud.template import TemplateError, samconfig_parameters, transform

log = logging.getLogger("localcloud.provision")

PSEUDO_STATIC = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": []}


class Provisioner:
    def __init__(
        self,
        *,
        aws: Callable[[str], Any],
        region: str,
        account_id: str,
        aws_endpoint: str,
        http_endpoint: str = "",
        transform_cache: Path | None = None,
    ):
        """`transform_cache`: a folder that keeps SAM transform results between runs (none: always transform)."""
        self.aws = aws
        self.transform_cache = transform_cache
        self.region = region
        self.account_id = account_id
        self.aws_endpoint = aws_endpoint
        self.http_endpoint = http_endpoint

    def deploy(
        self,
        template_path: Path,
        *,
        stack_name: str | None = None,
        parameters: dict[str, str] | None = None,
        layers: dict[str, Path] | None = None,
    ) -> Deployment:
        """Provision a template tree; `layers` maps layer ARNs the app does not define to local folders."""
        template_path = Path(template_path).resolve()
        deployment = Deployment(region=self.region, account_id=self.account_id, aws_endpoint=self.aws_endpoint,
                                http_endpoint=self.http_endpoint)  # fmt: skip
        deployment.external_layers = {arn: Path(folder).resolve() for arn, folder in (layers or {}).items()}
        overrides = {**samconfig_parameters(template_path.parent), **(parameters or {})}
        name = stack_name or _stack_name_from_samconfig(template_path.parent) or template_path.parent.name
        self.deploy_stack(template_path, name=name, path="", parameters=overrides, deployment=deployment)
        return deployment

    def deploy_stack(
        self, template_path: Path, *, name: str, path: str, parameters: dict[str, Any], deployment: Deployment
    ) -> dict[str, Any]:
        """Create one stack (and its nested ones); return its outputs."""
        raw_params = _declared_parameters(template_path)
        values = self._parameter_values(raw_params, parameters, where=path or name)
        typed = self._typed(values, raw_params, where=path or name)
        # samtranslator substitutes parameter Refs in places (authorizer pool ARNs...): give it what Ref
        # really yields, i.e. SSM-typed parameters already looked up.
        sam_values = {k: typed[k] if isinstance(typed[k], str) else values[k] for k in values}
        loaded = transform(template_path, sam_values, region=self.region, cache=self.transform_cache)
        template = loaded.template
        ctx = StackContext(
            name=name,
            path=path,
            loaded=loaded,
            deployment=deployment,
            aws=self.aws,
            region=self.region,
            account_id=self.account_id,
            deploy_stack=self.deploy_stack,
        )
        pseudo = {
            **PSEUDO_STATIC,
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{name}/"
            f"{uuid.uuid5(uuid.NAMESPACE_URL, name)}",
        }
        resolver = Resolver(
            parameters=typed,
            pseudo=pseudo,
            conditions=template.get("Conditions", {}),
            mappings=template.get("Mappings", {}),
            ref=lambda logical_id: self._created(ctx, logical_id).ref,
            get_att=lambda logical_id, attr: self._attribute(ctx, logical_id, attr),
        )
        resources = template.get("Resources", {})
        for logical_id in _creation_order(resources, where=str(template_path)):
            definition = resources[logical_id]
            address = f"{path}/{logical_id}" if path else logical_id
            try:
                condition = definition.get("Condition")
                if condition and not resolver.condition(condition):
                    continue
                properties = resolve_dynamic(resolver.resolve(definition.get("Properties") or {}), self.aws)
                resource = Resource(
                    stack=path,
                    logical_id=logical_id,
                    type=definition["Type"],
                    properties=properties,
                    metadata=definition.get("Metadata") or {},
                )
                with ids_from(name, logical_id):
                    creators.create(ctx, resource)
            except (IntrinsicError, ResourceFailed, TemplateError, CreatorError, DynamicReferenceError) as exc:
                self._fail(deployment, address, definition.get("Type", "?"), exc)
                continue
            except Exception as exc:  # a moto/boto error: report it and keep going
                self._fail(deployment, address, definition.get("Type", "?"), exc)
                continue
            ctx.created[logical_id] = resource
            deployment.resources.append(resource)
        outputs: dict[str, Any] = {}
        for key, output in (template.get("Outputs") or {}).items():
            try:
                if output.get("Condition") and not resolver.condition(output["Condition"]):
                    continue
                outputs[key] = resolver.resolve(output.get("Value"))
            except (IntrinsicError, ResourceFailed) as exc:
                deployment.errors.append(f"{path or name} output {key}: {exc}")
        deployment.outputs[path] = outputs
        return outputs

    # helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _fail(deployment: Deployment, address: str, kind: str, exc: Exception) -> None:
        message = f"{address} ({kind}): {exc}"
        log.error("cannot provision %s", message)
        deployment.errors.append(message)

    @staticmethod
    def _created(ctx: StackContext, logical_id: str) -> Resource:
        resource = ctx.created.get(logical_id)
        if resource is None:
            raise ResourceFailed(f"depends on {logical_id}, which does not exist or failed")
        return resource

    def _attribute(self, ctx: StackContext, logical_id: str, attribute: str) -> Any:
        resource = self._created(ctx, logical_id)
        if attribute not in resource.attrs:
            raise ResourceFailed(f"{logical_id} ({resource.type}) has no attribute {attribute}")
        return resource.attrs[attribute]

    def _parameter_values(self, declared: dict, given: dict[str, Any], where: str) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            if name in given and given[name] is not None:
                value = given[name]
            elif "Default" in spec:
                value = spec["Default"]
            else:
                raise TemplateError(f"{where}: parameter {name} has no value and no default")
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            allowed = spec.get("AllowedValues")
            if allowed and str(value) not in [str(a) for a in allowed]:
                raise TemplateError(f"{where}: parameter {name}={value!r} is not one of {allowed}")
            values[name] = str(value) if not isinstance(value, str) else value
        return values

    def _typed(self, values: dict[str, str], declared: dict, where: str) -> dict[str, Any]:
        """Parameter values as Ref sees them: lists split, SSM parameter types looked up in (local) SSM."""
        typed: dict[str, Any] = {}
        for name, value in values.items():
            kind = declared[name].get("Type", "String")
            if kind.startswith("AWS::SSM::Parameter::Value<"):
                value = self._ssm_value(value, where, name)
                if "List" in kind:
                    value = value.split(",")
            elif kind == "CommaDelimitedList" or kind.startswith("List<"):
                value = [v.strip() for v in value.split(",")] if value else [""]
            typed[name] = value
        return typed

    def _ssm_value(self, parameter_name: str, where: str, name: str) -> str:
        try:
            return self.aws("ssm").get_parameter(Name=parameter_name)["Parameter"]["Value"]
        except Exception as exc:
            raise TemplateError(
                f"{where}: parameter {name} reads SSM {parameter_name}, which does not exist ({exc})"
            ) from exc


def _declared_parameters(template_path: Path) -> dict:
    from localcloud.template import load_yaml

    return load_yaml(template_path).get("Parameters") or {}


def _stack_name_from_samconfig(project_dir: Path) -> str | None:
    import tomllib

    path = project_dir / "samconfig.toml"
    if not path.exists():
        return None
    config = tomllib.loads(path.read_text())
    for env in ("local", "default"):
        name = config.get(env, {}).get("global", {}).get("parameters", {}).get("stack_name")
        if name:
            return name
    return None


def _creation_order(resources: dict, where: str) -> list[str]:
    names = set(resources)
    graph: dict[str, set[str]] = {}
    for logical_id, definition in resources.items():
        deps = references(definition.get("Properties") or {}, names)
        depends_on = definition.get("DependsOn") or []
        deps |= {d for d in ([depends_on] if isinstance(depends_on, str) else depends_on) if d in names}
        graph[logical_id] = deps - {logical_id}
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise TemplateError(f"{where}: circular dependency between resources {exc.args[1]}") from exc
