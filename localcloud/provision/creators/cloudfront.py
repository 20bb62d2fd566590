"""CloudFront: distributions and their companions. localcloud.edge serves the distributions.

A distribution is also created in moto, with a minimal configuration, so that the CloudFront API on
the AWS endpoint knows its id: `create_invalidation`, `get_invalidation` and `list_invalidations` work
as on AWS, and the edge purges what an invalidation names. The full configuration the edge serves is
the template's, read from the resource. Policies, functions and key groups exist only locally; their
ids derive from stack and logical id like every other id.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.registry import creates

_CREATED = "2026-01-01T00:00:00Z"


def _uuid(ctx: StackContext, logical_id: str) -> str:
    return str(uuid.UUID(hashlib.sha256(f"{ctx.name}/{logical_id}".encode()).hexdigest()[:32]))


def _short_id(ctx: StackContext, logical_id: str, length: int = 14) -> str:
    digest = hashlib.sha256(f"{ctx.name}/{logical_id}".encode()).hexdigest().upper()
    return ("E" + "".join(c for c in digest if c.isalnum()))[:length]


@creates("AWS::CloudFront::Distribution")
def _distribution(ctx: StackContext, r: Resource) -> None:
    config = r.properties.get("DistributionConfig") or {}
    origins = config.get("Origins") or []
    default = config.get("DefaultCacheBehavior") or {}
    minimal: dict[str, Any] = {
        "CallerReference": f"{ctx.name}/{r.logical_id}",
        "Comment": str(config.get("Comment") or r.address),
        "Enabled": bool(config.get("Enabled", True)),
        "Origins": {
            "Quantity": len(origins),
            "Items": [
                {
                    "Id": str(o["Id"]),
                    "DomainName": str(o["DomainName"]),
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }
                for o in origins
            ],
        },
        "DefaultCacheBehavior": {
            "TargetOriginId": str(default.get("TargetOriginId") or (origins[0]["Id"] if origins else "")),
            "ViewerProtocolPolicy": str(default.get("ViewerProtocolPolicy") or "allow-all"),
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "MinTTL": 0,
        },
    }
    aliases = [str(a) for a in config.get("Aliases") or []]
    if aliases:
        minimal["Aliases"] = {"Quantity": len(aliases), "Items": aliases}
    created = ctx.aws("cloudfront").create_distribution(DistributionConfig=minimal)["Distribution"]
    r.ref = created["Id"]
    r.attrs = {"Id": created["Id"], "DomainName": created["DomainName"], "Arn": created["ARN"]}


@creates(
    "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy",
    "AWS::CloudFront::ResponseHeadersPolicy",
)
def _policy(ctx: StackContext, r: Resource) -> None:
    r.ref = _uuid(ctx, r.logical_id)
    r.attrs = {"Id": r.ref, "LastModifiedTime": _CREATED}


@creates("AWS::CloudFront::OriginAccessControl")
def _origin_access_control(ctx: StackContext, r: Resource) -> None:
    config = r.properties.get("OriginAccessControlConfig") or {}
    created = ctx.aws("cloudfront").create_origin_access_control(
        OriginAccessControlConfig={
            "Name": str(config.get("Name") or ctx.name_for(r.logical_id)),
            "Description": str(config.get("Description") or ""),
            "SigningProtocol": str(config.get("SigningProtocol") or "sigv4"),
            "SigningBehavior": str(config.get("SigningBehavior") or "always"),
            "OriginAccessControlOriginType": str(config.get("OriginAccessControlOriginType") or "s3"),
        }
    )["OriginAccessControl"]
    r.ref = created["Id"]
    r.attrs = {"Id": created["Id"]}


@creates("AWS::CloudFront::CloudFrontOriginAccessIdentity")
def _origin_access_identity(ctx: StackContext, r: Resource) -> None:
    r.ref = _short_id(ctx, r.logical_id)
    r.attrs = {"Id": r.ref, "S3CanonicalUserId": hashlib.sha256(r.ref.encode()).hexdigest() * 2}


@creates("AWS::CloudFront::Function")
def _function(ctx: StackContext, r: Resource) -> None:
    name = str(r.properties.get("Name") or ctx.name_for(r.logical_id))
    arn = f"arn:aws:cloudfront::{ctx.account_id}:function/{name}"
    stage = "LIVE" if r.properties.get("AutoPublish") else "DEVELOPMENT"
    r.ref = arn
    r.attrs = {"FunctionARN": arn, "FunctionMetadata.FunctionARN": arn, "Stage": stage}


@creates("AWS::CloudFront::KeyValueStore")
def _key_value_store(ctx: StackContext, r: Resource) -> None:
    name = str(r.properties.get("Name") or ctx.name_for(r.logical_id))
    identifier = _uuid(ctx, r.logical_id)
    r.ref = name
    r.attrs = {
        "Arn": f"arn:aws:cloudfront::{ctx.account_id}:key-value-store/{identifier}",
        "Id": identifier,
        "Status": "READY",
    }


@creates("AWS::CloudFront::KeyGroup", "AWS::CloudFront::PublicKey")
def _key(ctx: StackContext, r: Resource) -> None:
    r.ref = _uuid(ctx, r.logical_id) if r.type.endswith("KeyGroup") else _short_id(ctx, r.logical_id)
    r.attrs = {"Id": r.ref, "CreatedTime": _CREATED}
