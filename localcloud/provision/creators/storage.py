"""DynamoDB tables, S3 buckets, their notifications and bucket policies."""

from __future__ import annotations

from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.common import policy_json, tag_list
from localcloud.provision.creators.registry import creates


@creates("AWS::DynamoDB::Table")
def _table(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ddb = ctx.aws("dynamodb")
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
    description = ddb.create_table(**args)["TableDescription"]
    ttl = p.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
    pitr = p.get("PointInTimeRecoverySpecification")
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
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": p["CorsConfiguration"]["CorsRules"]})
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
