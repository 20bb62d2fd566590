"""DynamoDB tables (global tables too), S3 buckets, their notifications and bucket policies."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import CreatorError, StackContext
from localcloud.provision.creators.common import policy_json, tag_list
from localcloud.provision.creators.registry import creates

log = logging.getLogger("localcloud.provision")


@creates("AWS::DynamoDB::Table")
def _table(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("TableName") or ctx.name_for(r.logical_id, max_len=255)
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": p["KeySchema"],
        "AttributeDefinitions": p["AttributeDefinitions"],
        "BillingMode": p.get("BillingMode", "PROVISIONED"),
    }
    if args["BillingMode"] == "PROVISIONED":
        args["ProvisionedThroughput"] = {
            k: int(v)
            for k, v in (p.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}).items()
        }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if p.get(key):
            args[key] = p[key]
    if p.get("StreamSpecification"):
        args["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
    if p.get("SSESpecification"):
        args["SSESpecification"] = {"Enabled": bool(p["SSESpecification"].get("SSEEnabled"))}
    if tag_list(p):
        args["Tags"] = tag_list(p)
    _make_table(ctx, r, args, p.get("TimeToLiveSpecification"), p.get("PointInTimeRecoverySpecification"))


@creates("AWS::DynamoDB::GlobalTable")
def _global_table(ctx: StackContext, r: Resource) -> None:
    """The replica in the deployment's region, as a table of its own; other regions are not emulated.

    The properties differ from AWS::DynamoDB::Table's: capacity comes from auto-scaling settings (the
    write settings table-wide, the read settings per replica), and tags, table class, deletion
    protection, point-in-time recovery and the KMS key are set per replica.
    """
    p = r.properties
    replicas = p.get("Replicas") or []
    local = next((replica for replica in replicas if replica.get("Region") == ctx.region), None)
    if local is None:
        raise CreatorError(f"Replicas must include the stack's region, {ctx.region}")
    if len(replicas) > 1 and not p.get("StreamSpecification"):
        raise CreatorError("a global table with more than one replica needs StreamSpecification")
    billing = p.get("BillingMode", "PROVISIONED")
    if billing == "PROVISIONED" and not p.get("WriteProvisionedThroughputSettings"):
        raise CreatorError("BillingMode PROVISIONED needs WriteProvisionedThroughputSettings")
    others = sorted(str(replica.get("Region")) for replica in replicas if replica is not local)
    if others:
        log.warning(
            "%s: global table replicas in %s are not emulated; the table exists in %s only",
            r.address,
            ", ".join(others),
            ctx.region,
        )
    name = p.get("TableName") or ctx.name_for(r.logical_id, max_len=255)
    args: dict[str, Any] = {
        "TableName": name,
        "KeySchema": p["KeySchema"],
        "AttributeDefinitions": p["AttributeDefinitions"],
        "BillingMode": billing,
    }
    provisioned = billing == "PROVISIONED"
    if provisioned:
        args["ProvisionedThroughput"] = _capacity(p, local)
    replica_indexes = {i.get("IndexName"): i for i in local.get("GlobalSecondaryIndexes") or []}
    indexes = []
    for index in p.get("GlobalSecondaryIndexes") or []:
        shaped = {k: index[k] for k in ("IndexName", "KeySchema", "Projection") if k in index}
        if provisioned:
            shaped["ProvisionedThroughput"] = _capacity(index, replica_indexes.get(index.get("IndexName")) or {})
        indexes.append(shaped)
    if indexes:
        args["GlobalSecondaryIndexes"] = indexes
    if p.get("LocalSecondaryIndexes"):
        args["LocalSecondaryIndexes"] = p["LocalSecondaryIndexes"]
    if p.get("StreamSpecification"):
        args["StreamSpecification"] = {"StreamEnabled": True, **p["StreamSpecification"]}
    sse = p.get("SSESpecification") or {}
    if sse:
        args["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
        if sse.get("SSEType"):
            args["SSESpecification"]["SSEType"] = sse["SSEType"]
        key = (local.get("SSESpecification") or {}).get("KMSMasterKeyId")
        if key:
            args["SSESpecification"]["KMSMasterKeyId"] = key
    if local.get("TableClass"):
        args["TableClass"] = local["TableClass"]
    if "DeletionProtectionEnabled" in local:
        args["DeletionProtectionEnabled"] = str(local["DeletionProtectionEnabled"]).lower() == "true"
    if tag_list(local):
        args["Tags"] = tag_list(local)
    _make_table(ctx, r, args, p.get("TimeToLiveSpecification"), local.get("PointInTimeRecoverySpecification"))
    r.attrs["TableId"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ctx.name}/{r.logical_id}"))


def _capacity(settings: dict, replica: dict) -> dict[str, int]:
    """Capacity units from a global table's auto-scaling settings: the seed capacity, else the minimum."""

    def units(node: dict, fixed: str, scaling: str) -> int:
        if node.get(fixed) is not None:
            return int(node[fixed])
        auto = node.get(scaling) or {}
        return int(auto.get("SeedCapacity") or auto.get("MinCapacity") or 5)

    write = settings.get("WriteProvisionedThroughputSettings") or {}
    read = replica.get("ReadProvisionedThroughputSettings") or {}
    return {
        "ReadCapacityUnits": units(read, "ReadCapacityUnits", "ReadCapacityAutoScalingSettings"),
        "WriteCapacityUnits": units(write, "WriteCapacityUnits", "WriteCapacityAutoScalingSettings"),
    }


def _make_table(ctx: StackContext, r: Resource, args: dict[str, Any], ttl: Any, pitr: Any) -> None:
    """Create the table, then its TTL and point-in-time recovery; fill Ref, Arn and StreamArn."""
    ddb = ctx.aws("dynamodb")
    name = args["TableName"]
    description = ddb.create_table(**args)["TableDescription"]
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    if pitr:
        ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=pitr)
    r.ref = name
    r.attrs = {"Arn": description["TableArn"]}
    if description.get("LatestStreamArn"):
        r.attrs["StreamArn"] = description["LatestStreamArn"]


@creates("AWS::S3::Bucket")
def _bucket(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    s3 = ctx.aws("s3")
    name = p.get("BucketName") or ctx.name_for(r.logical_id, max_len=63, lower=True)
    if ctx.region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": ctx.region})
    if p.get("PublicAccessBlockConfiguration"):
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
    if p.get("VersioningConfiguration"):
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": p["VersioningConfiguration"]["Status"]}
        )
    if p.get("BucketEncryption"):
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": rule.get("ServerSideEncryptionByDefault", {}),
                        **({"BucketKeyEnabled": bool(rule["BucketKeyEnabled"])} if "BucketKeyEnabled" in rule else {}),
                    }
                    for rule in p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if p.get("OwnershipControls"):
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=p["OwnershipControls"])
    if p.get("CorsConfiguration"):
        rules = [_cors_rule(rule) for rule in p["CorsConfiguration"]["CorsRules"]]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    if tag_list(p):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tag_list(p)})
    notifications = bucket_notifications(p)
    if notifications:
        s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notifications)
    r.ref = name
    r.attrs = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "DualStackDomainName": f"{name}.s3.dualstack.{ctx.region}.amazonaws.com",
        "WebsiteURL": f"http://{name}.s3-website-{ctx.region}.amazonaws.com",
    }


def bucket_notifications(props: dict) -> dict:
    """The bucket's queue, topic and EventBridge notifications in the S3 API shape (Lambda ones belong to
    `sources`)."""
    config = props.get("NotificationConfiguration") or {}
    out: dict[str, list] = {}
    for cfn_key, api_key, target_key, api_target in (
        ("QueueConfigurations", "QueueConfigurations", "Queue", "QueueArn"),
        ("TopicConfigurations", "TopicConfigurations", "Topic", "TopicArn"),
    ):
        for item in config.get(cfn_key) or []:
            entry: dict[str, Any] = {api_target: item[target_key], "Events": [item["Event"]]}
            rules = ((item.get("Filter") or {}).get("S3Key") or {}).get("Rules")
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            out.setdefault(api_key, []).append(entry)
    if str((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled", "")).lower() == "true":
        out["EventBridgeConfiguration"] = {}  # S3 then sends every event to the default bus
    return out


@creates("AWS::S3::BucketPolicy")
def _bucket_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ctx.aws("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=policy_json(p["PolicyDocument"]))
    r.ref = ctx.name_for(r.logical_id)


# CloudFormation's CorsRule spells three names differently from S3's API.
_CORS_NAMES = {"Id": "ID", "MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders"}


def _cors_rule(rule: dict) -> dict:
    return {_CORS_NAMES.get(name, name): value for name, value in rule.items()}
