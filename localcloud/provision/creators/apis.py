"""API Gateway resources: only their ids, since localcloud.gateway serves the APIs."""

from __future__ import annotations

import hashlib

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.registry import creates


def api_id(ctx: StackContext, logical_id: str) -> str:
    return hashlib.sha256(f"{ctx.name}/{logical_id}".encode()).hexdigest()[:10]


@creates("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
def _rest_api(ctx: StackContext, r: Resource) -> None:
    identifier = api_id(ctx, r.logical_id)
    r.ref = identifier
    r.attrs = {"RootResourceId": f"{identifier}root", "ApiId": identifier}
    r.attrs["ApiEndpoint"] = f"https://{identifier}.execute-api.{ctx.region}.amazonaws.com"


@creates(
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGateway::BasePathMapping",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Authorizer",
    "Custom::StageCacheControl",  # its settings are read by the gateway (gateway/apis.py)
)
def _api_part(ctx: StackContext, r: Resource) -> None:
    stage = r.type.endswith("::Stage") and r.properties.get("StageName")
    r.ref = stage or ctx.name_for(r.logical_id, lower=True)[-10:]
    r.attrs = {"DeploymentId": r.ref}
