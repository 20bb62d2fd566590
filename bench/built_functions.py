"""The API functions of a `sam build` of the root template, as Lambda would load them: each function's
built folder, its layers' built folders, its handler and its environment.

The built templates are read with localcloud's SAM transform and intrinsics, with every parameter at its
default (so `EnableDax=false`, and a conditional layer is left out as CloudFormation would leave it out).
A layer reaches a nested service as a parameter; its value is followed back through a nested stack's
outputs and the `AWS::SSM::Parameter` that names it to the layer it names. An API function is one that API
Gateway may invoke (an `AWS::Lambda::Permission` for `apigateway.amazonaws.com`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from localcloud.intrinsics import Resolver  # noqa: E402
from localcloud.template import load_yaml, transform  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "123456789012"
_LAYER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:"


@dataclass(frozen=True)
class BuiltFunction:
    address: str  # Stack/LogicalId, as localcloud and `sam local invoke` name it
    handler: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]


def api_functions(build_dir: Path) -> list[BuiltFunction]:
    """Every API function of the build, root stack first, then nested stacks in template order."""
    template = build_dir / "template.yaml"
    if not template.is_file():
        raise FileNotFoundError(f"{build_dir} holds no built template.yaml (run `make build` or `sam build`)")
    out: list[BuiltFunction] = []
    _walk(template, stack="", passed={}, layers={}, out=out)
    return out


def _walk(path: Path, *, stack: str, passed: dict[str, Any], layers: dict[str, Path], out: list) -> dict[str, Any]:
    """Collect the stack's API functions into `out`; return its outputs, which later siblings may take."""
    declared = load_yaml(path).get("Parameters") or {}
    values = {name: passed.get(name, spec.get("Default", "")) for name, spec in declared.items()}
    loaded = transform(path, {k: v for k, v in values.items() if isinstance(v, str)}, region=REGION)
    resources = loaded.template.get("Resources", {})
    typed = {name: _typed(value, declared[name]) for name, value in values.items()}
    nested: dict[str, dict[str, Any]] = {}
    code = lambda key: loaded.code_paths[key]  # noqa: E731
    resolver = _resolver(loaded.template, typed, stack, resources, code, layers, nested)
    for logical_id, resource in resources.items():
        if resource.get("Condition") and not resolver.condition(resource["Condition"]):
            continue
        kind = resource.get("Type")
        props = resource.get("Properties") or {}
        if kind == "AWS::CloudFormation::Stack":
            child = loaded.nested_paths.get(props.get("TemplateURL", ""))
            if child is not None:
                given = {k: resolver.resolve(v) for k, v in (props.get("Parameters") or {}).items()}
                child_stack = f"{stack}/{logical_id}" if stack else logical_id
                nested[logical_id] = _walk(child, stack=child_stack, passed=given, layers=layers, out=out)
        elif kind == "AWS::Lambda::Function" and logical_id in _api_invoked(resources):
            out.append(_function(stack, logical_id, props, resolver, loaded.code_paths, layers))
    outputs = loaded.template.get("Outputs") or {}
    return {name: resolver.resolve(output.get("Value")) for name, output in outputs.items()}


def _typed(value: Any, spec: dict) -> Any:
    kind = spec.get("Type", "String")
    if isinstance(value, str) and (kind == "CommaDelimitedList" or kind.startswith("List<")):
        return [v.strip() for v in value.split(",")] if value else [""]
    return value


def _resolver(template: dict, parameters: dict, stack: str, resources: dict, code, layers: dict, nested: dict):
    def ref(logical_id: str) -> Any:
        resource = resources.get(logical_id) or {}
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Lambda::LayerVersion":
            arn = f"{_LAYER_ARN}{stack or 'root'}-{logical_id}:1"
            layers[arn] = code(props["Content"]["S3Key"])
            return arn
        if resource.get("Type") == "AWS::SSM::Parameter":
            return resolver.resolve(props.get("Value"))
        return f"bench-{logical_id}"

    def get_att(logical_id: str, attribute: str) -> Any:
        name = attribute.removeprefix("Outputs.")
        if logical_id in nested and name in nested[logical_id]:  # a nested stack walked before this one
            return nested[logical_id][name]
        return f"bench-{logical_id}.{attribute}"

    resolver = Resolver(
        parameters=parameters,
        pseudo={
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": f"bench-{stack or 'root'}",
            "AWS::StackId": f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/bench-{stack or 'root'}/0",
        },
        conditions=template.get("Conditions", {}),
        mappings=template.get("Mappings", {}),
        ref=ref,
        get_att=get_att,
    )
    return resolver


def _api_invoked(resources: dict) -> set[str]:
    """Logical ids of the functions API Gateway may invoke."""
    invoked = set()
    for resource in resources.values():
        props = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Lambda::Permission" and props.get("Principal") == "apigateway.amazonaws.com":
            target = props.get("FunctionName")
            if isinstance(target, dict) and "Ref" in target:
                invoked.add(target["Ref"])
    return invoked


def _function(stack: str, logical_id: str, props: dict, resolver: Resolver, code_paths: dict, layers: dict):
    layer_dirs = []
    for arn in resolver.resolve(props.get("Layers")) or []:
        if arn not in layers:
            raise LookupError(f"{stack}/{logical_id}: layer {arn} is not built from this template tree")
        layer_dirs.append(layers[arn])
    variables = resolver.resolve((props.get("Environment") or {}).get("Variables")) or {}
    return BuiltFunction(
        address=f"{stack}/{logical_id}" if stack else logical_id,
        handler=props["Handler"],
        code_dir=code_paths[props["Code"]["S3Key"]],
        layer_dirs=tuple(layer_dirs),
        environment={
            k: v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in variables.items()
        },
    )


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)
