"""The updates template with given parameters applied: conditions decided, intrinsics resolved (by
localcloud's resolver, the one that provisions it), so tests read the distribution CloudFront would get."""

from __future__ import annotations

from typing import Any

from localcloud.intrinsics import Resolver
from tests.templates.cfn import load_template

TEMPLATE = "services/updates/template.yaml"
ORIGIN = {"OriginDomainName": "app-lb-123.us-east-1.elb.amazonaws.com"}


def resolved(**overrides: Any) -> dict[str, dict]:
    """Resources that exist under these parameters, by logical id, their properties resolved; a Ref to a
    resource is its logical id and a GetAtt is `Resource.Attribute`."""
    template = load_template(TEMPLATE)
    parameters = {name: spec.get("Default") for name, spec in template["Parameters"].items()}
    parameters.update(ORIGIN, **overrides)
    missing = [name for name, value in parameters.items() if value is None]
    assert not missing, f"no value for {missing}"
    resolver = Resolver(
        parameters=parameters,
        pseudo={"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012", "AWS::StackName": "platform-dev-updates"},
        conditions=template.get("Conditions"),
        ref=lambda name: name,
        get_att=lambda resource, attribute: f"{resource}.{attribute}",
    )
    out = {}
    for name, resource in template["Resources"].items():
        if "Condition" in resource and not resolver.condition(resource["Condition"]):
            continue
        out[name] = {"Type": resource["Type"], "Properties": resolver.resolve(resource.get("Properties") or {})}
    return out


def distribution(**overrides: Any) -> dict:
    return resolved(**overrides)["Distribution"]["Properties"]["DistributionConfig"]


def cache_policy(name: str, **overrides: Any) -> dict:
    return resolved(**overrides)[name]["Properties"]["CachePolicyConfig"]
