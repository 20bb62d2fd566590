"""Load CloudFormation/SAM YAML (with its short-form tags) into plain dicts, for template tests."""

from __future__ import annotations

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
