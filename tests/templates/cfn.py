"""Load CloudFormation/SAM YAML (with its short-form tags) into plain dicts, for template tests."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]

_SCALAR_TAGS = {"Ref": "Ref", "Condition": "Condition"}
_FN_TAGS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "Not",
    "Or",
    "Length",
    "ToJsonString",
)


class CfnLoader(yaml.SafeLoader):
    pass


def _construct(loader: CfnLoader, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


def _add(tag: str, key: str) -> None:
    CfnLoader.add_constructor(f"!{tag}", lambda loader, node: {key: _construct(loader, node)})


for _tag, _key in _SCALAR_TAGS.items():
    _add(_tag, _key)
for _tag in _FN_TAGS:
    _add(_tag, f"Fn::{_tag}")


def _get_att(loader: CfnLoader, node: yaml.Node):
    value = _construct(loader, node)
    return {"Fn::GetAtt": value.split(".", 1) if isinstance(value, str) else value}


CfnLoader.add_constructor("!GetAtt", _get_att)


def load_template(relative: str) -> dict:
    """A template under the repo root, e.g. `services/todos/template.yaml`."""
    return yaml.load((ROOT / relative).read_text(), Loader=CfnLoader)  # noqa: S506 (SafeLoader subclass)


ARTIFACT_BUCKET = "local-artifacts"


def _packaged(uri, prefix: str):
    """A local code path as `sam package` would upload it: an S3 URI (anything else is left alone)."""
    if isinstance(uri, str) and not uri.startswith("s3://"):
        return f"s3://{ARTIFACT_BUCKET}/{prefix}/{uri.strip('./') or 'root'}"
    return uri


def package_locally(template: dict, prefix: str = "artifacts") -> dict:
    """Rewrite local CodeUri/ContentUri to S3 URIs, the one thing the transform needs from packaging."""
    template = copy.deepcopy(template)
    function_globals = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in function_globals:
        function_globals["CodeUri"] = _packaged(function_globals["CodeUri"], prefix)
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function" and "CodeUri" in props:
            props["CodeUri"] = _packaged(props["CodeUri"], prefix)
        if resource.get("Type") == "AWS::Serverless::LayerVersion" and "ContentUri" in props:
            props["ContentUri"] = _packaged(props["ContentUri"], prefix)
    return template


class DictPolicyLoader:
    """Managed policy ARNs by name, from a dict instead of IAM (no AWS needed)."""

    def __init__(self, policies: dict[str, str] | None = None):
        self.policies = policies or {
            "AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSXrayWriteOnlyAccess": "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            "AWSLambdaVPCAccessExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        }
        self.loads = 0

    def load(self) -> dict[str, str]:
        self.loads += 1
        return dict(self.policies)


def sam_transform(relative: str, parameters: dict | None = None) -> dict:
    """The CloudFormation the SAM transform makes of a template (region from AWS_DEFAULT_REGION)."""
    from samtranslator.translator.transform import transform

    return transform(package_locally(load_template(relative)), parameters or {}, DictPolicyLoader())
