"""Load SAM templates and turn them into plain CloudFormation, as `sam deploy` would.

- A YAML loader that understands the CloudFormation short tags (`!Ref`, `!GetAtt a.b`, `!Sub` ...).
- Parameter values: explicit overrides, then the `local` env of samconfig.toml, then template defaults.
- The SAM transform by samtranslator. samtranslator insists on S3 locations, so local `CodeUri`,
  `ContentUri` and nested `Location` paths are swapped for placeholder URIs before the transform and
  mapped back after it (`LoadedStack.code_paths`).
"""

from __future__ import annotations

import copy
import logging
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PLACEHOLDER_BUCKET = "localcloud-code"
# samtranslator warns about its own unpublished metrics on every transform; that is noise here.
logging.getLogger("samtranslator.metrics.metrics").setLevel(logging.ERROR)
_LOCAL_URL = "https://localcloud.invalid/"


class TemplateError(Exception):
    """A template that cannot be loaded or transformed; the message names the file and resource."""


# libyaml's parser when PyYAML has it: the pure-Python one takes most of a start-up's template loading
# (about 7x slower on the root's templates). Construction and the implicit resolvers below stay Python's,
# so both give the same documents.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CfnLoader(_BaseLoader):
    pass


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict:
    name = tag_suffix
    key = name if name in ("Ref", "Condition") else f"Fn::{name}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)
# CloudFormation treats these as strings, not YAML 1.1 timestamps/booleans in odd places.
_CfnLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in _CfnLoader.yaml_implicit_resolvers.items()
}


def load_document(path: Path) -> Any:
    """Any YAML file that may hold CloudFormation tags (a template, an included OpenAPI document)."""
    try:
        return yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: cannot read template: {exc}") from exc


def load_yaml(path: Path) -> dict:
    data = load_document(path)
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{path}: not a template (no Resources mapping)")
    return data


def samconfig_parameters(project_dir: Path, env: str = "local") -> dict[str, str]:
    """`parameter_overrides` of a samconfig env (deploy, then global), as a dict."""
    path = project_dir / "samconfig.toml"
    if not path.exists():
        return {}
    try:
        config = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise TemplateError(f"{path}: {exc}") from exc
    section = config.get(env, {})
    raw = section.get("deploy", {}).get("parameters", {}).get("parameter_overrides") or section.get("global", {}).get(
        "parameters", {}
    ).get("parameter_overrides")
    if not raw:
        return {}
    items = raw if isinstance(raw, list) else shlex.split(raw)
    out: dict[str, str] = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key.strip()] = value
    return out


@dataclass
class LoadedStack:
    """One template after the SAM transform."""

    path: Path
    template: dict  # CloudFormation, no SAM resources left
    code_paths: dict[str, Path] = field(default_factory=dict)  # placeholder S3 key -> local dir
    nested_paths: dict[str, Path] = field(default_factory=dict)  # placeholder URL -> local template
    build_methods: dict[str, str] = field(default_factory=dict)  # placeholder S3 key -> Metadata.BuildMethod


def _is_local(uri: Any) -> bool:
    return isinstance(uri, str) and not uri.startswith(("s3://", "https://", "http://"))


_DEFINITION_KEYS = {
    "AWS::Serverless::Api": "DefinitionBody",
    "AWS::Serverless::HttpApi": "DefinitionBody",
    "AWS::Serverless::StateMachine": "Definition",
}


def _local_document(base: Path, location: str, where: str) -> Any:
    path = (base / location).resolve()
    if not path.is_file():
        raise TemplateError(f"{base}: {where} names {location}, which is not a file")
    return _includes(load_document(path), path.parent)


def _includes(node: Any, base: Path) -> Any:
    """`Fn::Transform: {Name: AWS::Include, Parameters: {Location: <local file>}}` replaced by that file's
    content, as CloudFormation does with an S3 Location; includes may include in turn."""
    if isinstance(node, list):
        return [_includes(item, base) for item in node]
    if not isinstance(node, dict):
        return node
    transform = node.get("Fn::Transform")
    if len(node) == 1 and isinstance(transform, dict) and transform.get("Name") == "AWS::Include":
        location = (transform.get("Parameters") or {}).get("Location")
        if _is_local(location):
            return _local_document(base, location, "AWS::Include")
    return {key: _includes(value, base) for key, value in node.items()}


def _swap_local_paths(template: dict, base: Path) -> tuple[dict[str, Path], dict[str, Path], dict[str, str]]:
    """Replace local code/template paths with placeholders samtranslator accepts (and keep the BuildMethod
    of each local layer, which the transform drops with its Metadata)."""
    code: dict[str, Path] = {}
    nested: dict[str, Path] = {}
    build_methods: dict[str, str] = {}
    globals_fn = template.get("Globals", {}).get("Function", {})
    global_code = globals_fn.get("CodeUri")
    for logical_id, resource in template["Resources"].items():
        if not isinstance(resource, dict):
            raise TemplateError(f"{base}: resource {logical_id} is not a mapping")
        props = resource.setdefault("Properties", {}) or {}
        resource["Properties"] = props
        kind = resource.get("Type")
        if kind == "AWS::Serverless::Function":
            uri = props.get("CodeUri", global_code)
            if uri is None and "InlineCode" not in props and props.get("PackageType") != "Image":
                uri = "."  # as `sam build` and `sam local` do: the template's own folder
            if _is_local(uri):
                key = f"{logical_id}.zip"
                code[key] = (base / uri).resolve()
                props["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{key}"
        elif kind == "AWS::Serverless::LayerVersion":
            uri = props.get("ContentUri")
            if _is_local(uri):
                key = f"{logical_id}.zip"
                code[key] = (base / uri).resolve()
                props["ContentUri"] = f"s3://{PLACEHOLDER_BUCKET}/{key}"
                method = (resource.get("Metadata") or {}).get("BuildMethod")
                if isinstance(method, str):
                    build_methods[key] = method
        elif kind in _DEFINITION_KEYS and _is_local(props.get("DefinitionUri")):
            # as `sam local` does: a local definition file is read into the template
            props[_DEFINITION_KEYS[kind]] = _local_document(base, props.pop("DefinitionUri"), logical_id)
        elif kind == "AWS::Serverless::Application":
            location = props.get("Location")
            if _is_local(location):
                url = f"{_LOCAL_URL}{logical_id}/template.yaml"
                nested[url] = (base / location).resolve()
                props["Location"] = url
    if _is_local(global_code):
        globals_fn.pop("CodeUri")
    return code, nested, build_methods


def _sam_transform(template: dict, parameters: dict[str, Any], region: str) -> dict:
    """samtranslator's own `transform`, with a region-pinned session and the bundled managed-policy map
    (so it never calls IAM or reads AWS configuration)."""
    import boto3
    from samtranslator.internal.managed_policies import get_bundled_managed_policy_map
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    to_py27_compatible_template(template, parameters)
    session = boto3.session.Session(region_name=region, aws_access_key_id="x", aws_secret_access_key="x")  # noqa: S106
    translator = Translator(None, Parser(), boto_session=session)
    policies = get_bundled_managed_policy_map("aws") or {}
    result = translator.translate(template, parameter_values=parameters, get_managed_policy_map=lambda: policies)
    return undo_mark_unicode_str_in_template(result)


def transform(
    path: Path, parameters: dict[str, Any], region: str = "us-east-1", cache: Path | None = None
) -> LoadedStack:
    """Load `path` and apply the SAM transform (if declared) with the given parameter values; with a
    `cache` folder, a transform of the same inputs is read from there (`transform_cache`)."""
    path = path.resolve()
    raw = load_yaml(path)
    template = _includes(copy.deepcopy(raw), path.parent)
    code, nested, build_methods = _swap_local_paths(template, path.parent)
    transforms = template.get("Transform")
    names = transforms if isinstance(transforms, list) else [transforms] if transforms else []
    if "AWS::Serverless-2016-10-31" in names:
        values = {"AWS::Region": region, **parameters}
        try:
            if cache is None:
                template = _sam_transform(template, values, region)
            else:
                from localcloud.transform_cache import cached_transform

                source = template
                template = cached_transform(
                    source, values, region, cache, lambda: _sam_transform(source, values, region)
                )
        except Exception as exc:
            from samtranslator.model.exceptions import InvalidDocumentException  # only now: a cache hit never needs it

            if isinstance(exc, InvalidDocumentException):
                causes = "; ".join(str(c) for c in exc.causes) or str(exc)
                raise TemplateError(f"{path}: {causes}") from exc
            raise TemplateError(f"{path}: SAM transform failed: {exc}") from exc
    return LoadedStack(path=path, template=template, code_paths=code, nested_paths=nested, build_methods=build_methods)
