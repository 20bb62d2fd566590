"""What a running instance tells its clients: the document `.localcloud/endpoints.json` holds (every URL
and id a client needs), and the stack outputs that name an API's AWS URL pointed at its local URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from localcloud.model import Deployment

if TYPE_CHECKING:
    from localcloud.runtime import LocalCloud

ROOT_STACK_KEY = "Root"  # the root stack's key in "outputs" (nested stacks go by their path)


def endpoints(cloud: LocalCloud) -> dict:
    d = cloud.deployment
    assert d is not None
    return {
        "aws": cloud.aws_url,
        "region": cloud.region,
        "apis": cloud.gateway.base_urls(cloud.http_url),
        "cognito": cognito_ids(d),
        "outputs": {stack or ROOT_STACK_KEY: values for stack, values in d.outputs.items()},
        "console": f"{cloud.http_url}/_local",
        "cdn": cloud.edge.urls() if cloud.edge else {},
        "functionUrls": cloud.function_urls.listing() if cloud.function_urls else {},
        "errors": list(d.errors),
        "not_emulated": list(d.not_emulated),
    }


def cognito_ids(d: Deployment) -> dict[str, str]:
    """The first user pool, client and identity pool: what a mobile or web client's config needs."""
    ids: dict[str, str] = {}
    for kind, key in (
        ("AWS::Cognito::UserPool", "userPoolId"),
        ("AWS::Cognito::UserPoolClient", "clientId"),
        ("AWS::Cognito::IdentityPool", "identityPoolId"),
    ):
        found = d.of_type(kind)
        if found:
            ids[key] = found[0].ref
    return ids


def rewrite_api_urls(d: Deployment, http_url: str, ssm: Any = None) -> None:
    """Outputs, functions' environment variables and, given an `ssm` client, the values of the stacks' SSM
    parameters that name an API's AWS URL (an API of this stack, or of a sibling passed in through a parameter
    or SSM) point at its local URL instead: a function that reads such a parameter at run time gets the
    local URL too."""
    ids = [r.ref for r in d.of_type("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")]
    if not ids:
        return
    pattern = re.compile(r"https://(" + "|".join(map(re.escape, ids)) + r")\.execute-api\.[^/\s]+")

    def local(value: Any) -> Any:
        return pattern.sub(lambda m: f"{http_url}/{m.group(1)}", value) if isinstance(value, str) else value

    for outputs in d.outputs.values():
        for key, value in outputs.items():
            outputs[key] = local(value)
    for spec in d.functions.values():
        spec.environment = {name: local(value) for name, value in spec.environment.items()}
    if ssm is not None:
        _rewrite_parameters(d, local, ssm)


def _rewrite_parameters(d: Deployment, local: Callable[[Any], Any], ssm: Any) -> None:
    """Each `AWS::SSM::Parameter` of type String whose value names an API's AWS URL, overwritten in place."""
    for parameter in d.of_type("AWS::SSM::Parameter"):
        name, value = parameter.properties.get("Name") or parameter.ref, parameter.properties.get("Value")
        if parameter.properties.get("Type", "String") != "String" or not isinstance(value, str):
            continue
        rewritten = local(value)
        if rewritten != value and name:
            ssm.put_parameter(Name=name, Value=rewritten, Type="String", Overwrite=True)
