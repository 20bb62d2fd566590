"""What a Function URL is configured as (`AWS::Lambda::Url`): its id, local URL, target, auth type, CORS,
and GetFunctionUrlConfig's shape of it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from localcloud.lambda_api.catalog import Catalog, LambdaError, Target
from localcloud.model import Deployment

log = logging.getLogger(__name__)

PREFIX = "/lambda-url/"


def url_id(function_url: str) -> str:
    """The id in a Function URL, local (`.../lambda-url/<id>/`) or AWS (`https://<id>.lambda-url...`)."""
    if PREFIX in function_url:
        return function_url.split(PREFIX, 1)[1].split("/", 1)[0]
    return function_url.split("//", 1)[-1].split(".", 1)[0]


@dataclass(frozen=True)
class FunctionUrl:
    url_id: str
    url: str
    target: Target
    auth_type: str  # NONE or AWS_IAM
    cors: dict[str, Any]  # the template's Cors (AllowOrigins, ...)
    invoke_mode: str


def function_urls(deployment: Deployment, catalog: Catalog) -> list[FunctionUrl]:
    """Every Function URL of the deployment whose target is one of its functions."""
    found = []
    for resource in deployment.of_type("AWS::Lambda::Url"):
        props = resource.properties
        try:
            target = catalog.resolve(str(props.get("TargetFunctionArn") or ""), props.get("Qualifier") or None)
        except LambdaError as exc:
            log.error("%s: %s", resource.address, exc.message)
            continue
        url = str(resource.attrs.get("FunctionUrl") or "")
        found.append(
            FunctionUrl(
                url_id(url),
                url,
                target,
                str(props.get("AuthType") or "NONE").upper(),
                dict(props.get("Cors") or {}),
                str(props.get("InvokeMode") or "BUFFERED"),
            )
        )
    return found


def url_configuration(deployment: Deployment, target: Target) -> dict[str, Any] | None:
    """GetFunctionUrlConfig's answer for the function (and qualifier), None when it has no URL."""
    for url in function_urls(deployment, Catalog(deployment)):
        if url.target.spec.arn == target.spec.arn and url.target.qualifier == target.qualifier:
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
            config: dict[str, Any] = {
                "FunctionUrl": url.url,
                "FunctionArn": url.target.arn,
                "AuthType": url.auth_type,
                "CreationTime": stamp,
                "LastModifiedTime": stamp,
                "InvokeMode": url.invoke_mode,
            }
            if url.cors:
                config["Cors"] = url.cors
            return config
    return None
