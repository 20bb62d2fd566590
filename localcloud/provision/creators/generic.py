"""Resource types moto serves and localcloud has no emulator for: one table of type → create call.

Each row names the client, builds the call from the resource's properties and its physical name, and
says what `Ref` and `GetAtt` return, in the form the CloudFormation reference documents for the type
(an id, a name or an ARN). A type in neither this table nor another creator module gets a placeholder
(see `creators.create`), and the start-up output names it as not emulated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.common import arn, policy_json, tag_list, to_json
from localcloud.provision.creators.registry import creates

Made = tuple[str, dict[str, Any]]  # (Ref, GetAtt attributes)


@dataclass(frozen=True)
class Generic:
    service: str
    make: Callable[[StackContext, Any, dict[str, Any], str], Made]  # (ctx, client, properties, name)
    name_property: str | None = None  # the property that names the resource ("A.B" for a nested one)
    max_len: int = 64
    lower: bool = False


def _log_group(ctx: StackContext, logs: Any, p: dict, name: str) -> Made:
    tags = {t["Key"]: t["Value"] for t in tag_list(p)}
    logs.create_log_group(logGroupName=name, **({"tags": tags} if tags else {}))
    if p.get("RetentionInDays"):
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(p["RetentionInDays"]))
    return name, {"Arn": arn(ctx, "logs", f"log-group:{name}:*")}


def _log_stream(ctx: StackContext, logs: Any, p: dict, name: str) -> Made:
    logs.create_log_stream(logGroupName=p["LogGroupName"], logStreamName=name)
    return name, {}


def _kms_key(ctx: StackContext, kms: Any, p: dict, name: str) -> Made:
    args: dict[str, Any] = {"Description": p.get("Description", ""), "KeyUsage": p.get("KeyUsage", "ENCRYPT_DECRYPT")}
    if p.get("KeySpec"):
        args["KeySpec"] = p["KeySpec"]
    if p.get("KeyPolicy"):
        args["Policy"] = policy_json(p["KeyPolicy"])
    if tag_list(p):
        args["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tag_list(p)]
    key = kms.create_key(**args)["KeyMetadata"]
    return key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]}


def _kms_alias(ctx: StackContext, kms: Any, p: dict, name: str) -> Made:
    kms.create_alias(AliasName=p["AliasName"], TargetKeyId=p["TargetKeyId"])
    return p["AliasName"], {}


_ALARM_NUMBERS = {"EvaluationPeriods": int, "Period": int, "DatapointsToAlarm": int, "Threshold": float}
_ALARM_KEYS = (
    "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions", "InsufficientDataActions", "MetricName",
    "Namespace", "Statistic", "ExtendedStatistic", "Dimensions", "Unit", "ComparisonOperator", "TreatMissingData",
    "Metrics", "ThresholdMetricId", "EvaluateLowSampleCountPercentile", *_ALARM_NUMBERS,
)  # fmt: skip


def _alarm(ctx: StackContext, cloudwatch: Any, p: dict, name: str) -> Made:
    args = {k: _ALARM_NUMBERS.get(k, lambda v: v)(p[k]) for k in _ALARM_KEYS if k in p}
    cloudwatch.put_metric_alarm(AlarmName=name, **args)
    return name, {"Arn": arn(ctx, "cloudwatch", f"alarm:{name}")}


def _dashboard(ctx: StackContext, cloudwatch: Any, p: dict, name: str) -> Made:
    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=to_json(p["DashboardBody"]))
    return name, {}


def _repository(ctx: StackContext, ecr: Any, p: dict, name: str) -> Made:
    repository = ecr.create_repository(repositoryName=name)["repository"]
    return name, {"Arn": repository["repositoryArn"], "RepositoryUri": repository["repositoryUri"]}


def _vpc(ctx: StackContext, ec2: Any, p: dict, name: str) -> Made:
    vpc = ec2.create_vpc(CidrBlock=p.get("CidrBlock", "10.0.0.0/16"))["Vpc"]
    groups = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["NetworkAcls"]
    return vpc["VpcId"], {
        "VpcId": vpc["VpcId"],
        "CidrBlock": vpc["CidrBlock"],
        "DefaultSecurityGroup": groups[0]["GroupId"] if groups else "",
        "DefaultNetworkAcl": acls[0]["NetworkAclId"] if acls else "",
    }


def _subnet(ctx: StackContext, ec2: Any, p: dict, name: str) -> Made:
    args = {"VpcId": p["VpcId"], "CidrBlock": p["CidrBlock"]}
    if p.get("AvailabilityZone"):
        args["AvailabilityZone"] = p["AvailabilityZone"]
    subnet = ec2.create_subnet(**args)["Subnet"]
    return subnet["SubnetId"], {
        "SubnetId": subnet["SubnetId"],
        "AvailabilityZone": subnet["AvailabilityZone"],
        "VpcId": subnet["VpcId"],
        "CidrBlock": subnet["CidrBlock"],
    }


def _security_group(ctx: StackContext, ec2: Any, p: dict, name: str) -> Made:
    args = {"GroupName": name, "Description": p.get("GroupDescription", name)}
    if p.get("VpcId"):
        args["VpcId"] = p["VpcId"]
    group_id = ec2.create_security_group(**args)["GroupId"]
    return group_id, {"GroupId": group_id, "VpcId": p.get("VpcId", "")}


def _internet_gateway(ctx: StackContext, ec2: Any, p: dict, name: str) -> Made:
    gateway_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    return gateway_id, {"InternetGatewayId": gateway_id}


def _ses_template(ctx: StackContext, ses: Any, p: dict, name: str) -> Made:
    content = p.get("Template") or {}
    ses.create_template(Template={**{k: v for k, v in content.items() if k != "TemplateName"}, "TemplateName": name})
    return name, {}


def _configuration_set(ctx: StackContext, ses: Any, p: dict, name: str) -> Made:
    ses.create_configuration_set(ConfigurationSet={"Name": name})
    return name, {}


def _certificate(ctx: StackContext, acm: Any, p: dict, name: str) -> Made:
    args: dict[str, Any] = {"DomainName": p["DomainName"], "ValidationMethod": p.get("ValidationMethod", "DNS")}
    if p.get("SubjectAlternativeNames"):
        args["SubjectAlternativeNames"] = p["SubjectAlternativeNames"]
    certificate_arn = acm.request_certificate(**args)["CertificateArn"]
    return certificate_arn, {"Id": certificate_arn}


def _schedule_group(ctx: StackContext, scheduler: Any, p: dict, name: str) -> Made:
    group_arn = scheduler.create_schedule_group(Name=name)["ScheduleGroupArn"]
    return name, {"Arn": group_arn}


def _instance_profile(ctx: StackContext, iam: Any, p: dict, name: str) -> Made:
    profile = iam.create_instance_profile(InstanceProfileName=name, Path=p.get("Path", "/"))["InstanceProfile"]
    for role in p.get("Roles") or []:
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=role)
    return name, {"Arn": profile["Arn"]}


GENERIC: dict[str, Generic] = {
    "AWS::Logs::LogGroup": Generic("logs", _log_group, "LogGroupName", max_len=512),
    "AWS::Logs::LogStream": Generic("logs", _log_stream, "LogStreamName", max_len=512),
    "AWS::KMS::Key": Generic("kms", _kms_key),
    "AWS::KMS::Alias": Generic("kms", _kms_alias, "AliasName"),
    "AWS::CloudWatch::Alarm": Generic("cloudwatch", _alarm, "AlarmName", max_len=255),
    "AWS::CloudWatch::Dashboard": Generic("cloudwatch", _dashboard, "DashboardName", max_len=255),
    "AWS::ECR::Repository": Generic("ecr", _repository, "RepositoryName", max_len=256, lower=True),
    "AWS::EC2::VPC": Generic("ec2", _vpc),
    "AWS::EC2::Subnet": Generic("ec2", _subnet),
    "AWS::EC2::SecurityGroup": Generic("ec2", _security_group, "GroupName", max_len=255),
    "AWS::EC2::InternetGateway": Generic("ec2", _internet_gateway),
    "AWS::SES::Template": Generic("ses", _ses_template, "Template.TemplateName"),
    "AWS::SES::ConfigurationSet": Generic("ses", _configuration_set, "Name"),
    "AWS::CertificateManager::Certificate": Generic("acm", _certificate),
    "AWS::Scheduler::ScheduleGroup": Generic("scheduler", _schedule_group, "Name"),
    "AWS::IAM::InstanceProfile": Generic("iam", _instance_profile, "InstanceProfileName", max_len=128),
}


@creates(*GENERIC)
def _generic(ctx: StackContext, r: Resource) -> None:
    row = GENERIC[r.type]
    p = r.properties
    given = _given_name(p, row.name_property) if row.name_property else None
    name = given or ctx.name_for(r.logical_id, max_len=row.max_len, lower=row.lower)
    r.ref, r.attrs = row.make(ctx, ctx.aws(row.service), p, name)


def _given_name(properties: dict, path: str) -> Any:
    value: Any = properties
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value
