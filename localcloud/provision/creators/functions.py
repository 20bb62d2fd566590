"""Lambda functions, layers, versions and event-source configuration: registered locally, never created in moto
(moto's Lambda needs Docker)."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from localcloud.model import FunctionSpec, Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import arn as make_arn
from localcloud.provision.creators.registry import creates
from localcloud.provision.public_layers import POWERTOOLS_LAYER, POWERTOOLS_LAYERS, UnknownLayer, external_layer


@creates("AWS::Lambda::LayerVersion")
def _layer(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("LayerName") or ctx.name_for(r.logical_id)
    content = p.get("Content") or {}
    directory = ctx.code_dir(content.get("S3Key"))
    if directory is None:
        raise CreatorError(f"layer content {content} is not a local ContentUri")
    if not directory.is_dir():
        raise CreatorError(f"ContentUri {directory} is not a directory")
    arn = make_arn(ctx, "lambda", f"layer:{name}:1")
    ctx.deployment.layers[arn] = directory
    method = ctx.loaded.build_methods.get(content.get("S3Key") or "")
    if method:
        ctx.deployment.layer_builds[directory] = method
    r.ref = arn
    r.attrs = {"LayerVersionArn": arn}


@creates("AWS::Lambda::Function")
def _function(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("FunctionName") or ctx.name_for(r.logical_id)
    arn = make_arn(ctx, "lambda", f"function:{name}")
    if p.get("PackageType") == "Image":
        raise CreatorError("container image functions need Docker; localcloud runs zip functions only")
    code = p.get("Code") or {}
    code_dir = ctx.code_dir(code.get("S3Key"))
    if code_dir is None and "ZipFile" in code:
        code_dir = _inline_code_dir(ctx, r, code["ZipFile"], p.get("Handler", "index.handler"))
    if code_dir is None:
        raise CreatorError(f"code {code} is not a local CodeUri")
    if not code_dir.is_dir():
        raise CreatorError(f"CodeUri {code_dir} is not a directory")
    layer_dirs: list[Path] = []
    for layer_arn in p.get("Layers") or []:
        directory = ctx.deployment.layers.get(layer_arn)
        if directory is None:
            try:
                directory = external_layer(str(layer_arn), ctx.deployment.external_layers)
            except UnknownLayer as exc:
                raise CreatorError(str(exc)) from None
            if directory in (POWERTOOLS_LAYER, *POWERTOOLS_LAYERS.values()):  # built here from pinned requirements
                ctx.deployment.layer_builds[directory] = "python"
        layer_dirs.append(directory)
    environment = {k: _env_string(v) for k, v in ((p.get("Environment") or {}).get("Variables") or {}).items()}
    # a not-emulated resource's endpoint (see creators.dax) arrives empty: the code falls back on its own
    environment = {k: "" if v in ctx.deployment.absent_endpoints else v for k, v in environment.items()}
    reserved = p.get("ReservedConcurrentExecutions")
    spec = FunctionSpec(
        address=r.address,
        name=name,
        arn=arn,
        handler=p.get("Handler", ""),
        runtime=p.get("Runtime", "python3.13"),
        code_dir=code_dir,
        layer_dirs=layer_dirs,
        environment=environment,
        timeout=int(p.get("Timeout", 3)),
        memory=int(p.get("MemorySize", 128)),
        reserved_concurrency=int(reserved) if reserved is not None else None,
        architectures=list(p.get("Architectures") or ["x86_64"]),
    )
    ctx.deployment.functions[arn] = spec
    r.ref = name
    r.attrs = {"Arn": arn}


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _inline_code_dir(ctx: StackContext, r: Resource, source: str, handler: str) -> Path:
    import tempfile

    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    directory = Path(tempfile.gettempdir()) / "localcloud-inline" / f"{r.logical_id}-{digest}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{handler.rsplit('.', 1)[0]}.py").write_text(source)
    return directory


@creates("AWS::Lambda::Version")
def _function_version(ctx: StackContext, r: Resource) -> None:
    """Version 1 of its function: every version and alias runs the function's one local code."""
    arn = _function_arn(ctx, str(r.properties.get("FunctionName", "")))
    r.ref = f"{arn}:1"
    r.attrs = {"Version": "1", "FunctionArn": arn}


@creates("AWS::Lambda::Alias")
def _function_alias(ctx: StackContext, r: Resource) -> None:
    arn = _function_arn(ctx, str(r.properties.get("FunctionName", "")))
    r.ref = f"{arn}:{r.properties.get('Name', '')}"
    r.attrs = {"AliasArn": r.ref}


def _function_arn(ctx: StackContext, function: str) -> str:
    """The unqualified ARN of a FunctionName (name, `name:qualifier` or ARN)."""
    if function.startswith("arn:"):
        return ":".join(function.split(":")[:7])
    return make_arn(ctx, "lambda", f"function:{function.split(':')[0]}")


@creates("AWS::Lambda::EventSourceMapping")
def _event_source_mapping(ctx: StackContext, r: Resource) -> None:
    """Read from the Deployment by `sources`; its Ref is a UUID, as on AWS."""
    r.ref = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ctx.name}/{r.logical_id}"))
    r.attrs = {"Id": r.ref, "EventSourceMappingArn": make_arn(ctx, "lambda", f"event-source-mapping:{r.ref}")}


@creates("AWS::Lambda::Url")
def _function_url(ctx: StackContext, r: Resource) -> None:
    """The URL is the local HTTP server's (`/lambda-url/<id>/`) when it is known, else AWS's form."""
    function_arn = _function_arn(ctx, str(r.properties["TargetFunctionArn"]))
    url_id = hashlib.sha256(f"{ctx.name}/{r.logical_id}".encode()).hexdigest()[:32]
    local = ctx.deployment.http_endpoint.rstrip("/")
    url = f"{local}/lambda-url/{url_id}/" if local else f"https://{url_id}.lambda-url.{ctx.region}.on.aws/"
    r.ref = function_arn
    r.attrs = {"FunctionArn": function_arn, "FunctionUrl": url}


@creates("AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig")
def _lambda_config(ctx: StackContext, r: Resource) -> None:
    """Read from the Deployment by `sources` (invoke configs); permissions are not enforced."""
    r.ref = ctx.name_for(r.logical_id)
