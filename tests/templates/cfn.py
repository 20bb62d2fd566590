"""Templates as plain dicts and through the stock SAM transform (no AWS), for template tests."""

from __future__ import annotations

import copy
from pathlib import Path

from localcloud.template import load_yaml

ROOT = Path(__file__).resolve().parents[2]
# Every stack's template: the root, the layers stack and each service (whatever services/ holds), then the
# pipeline bootstrap, which is plain CloudFormation.
STACK_TEMPLATES = [
    "template.yaml",
    "layers/template.yaml",
    *sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("services/*/template.yaml")),
]
ALL_TEMPLATES = [*STACK_TEMPLATES, "pipelines/bootstrap.yaml"]


def load_template(relative: str) -> dict:
    """A template under the repo root, e.g. `services/todos/template.yaml` (short-form tags expanded by the
    same loader localcloud uses)."""
    return load_yaml(ROOT / relative)


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
