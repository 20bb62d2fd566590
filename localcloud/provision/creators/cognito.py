"""Cognito user pools, app clients, groups, identity pools and their role attachments."""

from __future__ import annotations

from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.registry import creates

_POOL_KEYS = (
    "Policies",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "MfaConfiguration",
    "EmailConfiguration",
    "AdminCreateUserConfig",
    "UsernameConfiguration",
    "AccountRecoverySetting",
    "VerificationMessageTemplate",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "DeviceConfiguration",
    "UserPoolAddOns",
    "LambdaConfig",
)


@creates("AWS::Cognito::UserPool")
def _user_pool(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    args = {k: p[k] for k in _POOL_KEYS if k in p}
    if p.get("Schema"):
        args["Schema"] = p["Schema"]
    pool = ctx.aws("cognito-idp").create_user_pool(PoolName=p.get("UserPoolName") or ctx.name_for(r.logical_id), **args)
    pool_id = pool["UserPool"]["Id"]
    r.ref = pool_id
    r.attrs = {
        "Arn": pool["UserPool"]["Arn"],
        "ProviderName": f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}",
        "ProviderURL": f"https://cognito-idp.{ctx.region}.amazonaws.com/{pool_id}",
        "UserPoolId": pool_id,
    }


_CLIENT_KEYS = (
    "GenerateSecret",
    "ExplicitAuthFlows",
    "ReadAttributes",
    "WriteAttributes",
    "PreventUserExistenceErrors",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "CallbackURLs",
    "LogoutURLs",
    "SupportedIdentityProviders",
    "EnableTokenRevocation",
)


@creates("AWS::Cognito::UserPoolClient")
def _user_pool_client(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    args = {k: p[k] for k in _CLIENT_KEYS if k in p}
    client = ctx.aws("cognito-idp").create_user_pool_client(
        UserPoolId=p["UserPoolId"], ClientName=p.get("ClientName") or ctx.name_for(r.logical_id), **args
    )["UserPoolClient"]
    r.ref = client["ClientId"]
    r.attrs = {"ClientId": client["ClientId"], "Name": client["ClientName"]}
    if client.get("ClientSecret"):
        r.attrs["ClientSecret"] = client["ClientSecret"]


@creates("AWS::Cognito::UserPoolGroup")
def _user_pool_group(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("GroupName") or ctx.name_for(r.logical_id)
    args = {k: p[k] for k in ("Description", "RoleArn", "Precedence") if k in p}
    if "Precedence" in args:
        args["Precedence"] = int(args["Precedence"])
    ctx.aws("cognito-idp").create_group(UserPoolId=p["UserPoolId"], GroupName=name, **args)
    r.ref = name


@creates("AWS::Cognito::IdentityPool")
def _identity_pool(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    args: dict[str, Any] = {
        "IdentityPoolName": p.get("IdentityPoolName") or ctx.name_for(r.logical_id).replace("-", "_"),
        "AllowUnauthenticatedIdentities": bool(p.get("AllowUnauthenticatedIdentities", False)),
    }
    if p.get("CognitoIdentityProviders"):
        args["CognitoIdentityProviders"] = [
            {**prov, "ServerSideTokenCheck": bool(prov.get("ServerSideTokenCheck", False))}
            for prov in p["CognitoIdentityProviders"]
        ]
    for key in ("SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs", "SamlProviderARNs"):
        if p.get(key):
            args[key] = p[key]
    pool = ctx.aws("cognito-identity").create_identity_pool(**args)
    r.ref = pool["IdentityPoolId"]
    r.attrs = {"Name": pool["IdentityPoolName"], "Id": pool["IdentityPoolId"]}


@creates("AWS::Cognito::IdentityPoolRoleAttachment")
def _identity_pool_roles(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ctx.aws("cognito-identity").set_identity_pool_roles(
        IdentityPoolId=p["IdentityPoolId"],
        Roles=p.get("Roles") or {},
        **({"RoleMappings": p["RoleMappings"]} if p.get("RoleMappings") else {}),
    )
    r.ref = ctx.name_for(r.logical_id)
