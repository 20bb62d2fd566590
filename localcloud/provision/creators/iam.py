"""IAM roles and policies, SSM parameters, SES identities."""

from __future__ import annotations

import logging

from localcloud.model import Resource
from localcloud.provision.context import StackContext
from localcloud.provision.creators.common import policy_json
from localcloud.provision.creators.registry import creates

log = logging.getLogger("localcloud.provision")


@creates("AWS::IAM::Role")
def _role(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    name = p.get("RoleName") or ctx.name_for(r.logical_id)
    role = iam.create_role(
        RoleName=name,
        Path=p.get("Path", "/"),
        AssumeRolePolicyDocument=policy_json(p["AssumeRolePolicyDocument"]),
        Description=p.get("Description", ""),
    )["Role"]
    for policy in p.get("Policies") or []:
        iam.put_role_policy(
            RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=policy_json(policy["PolicyDocument"])
        )
    for arn in p.get("ManagedPolicyArns") or []:
        try:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        except iam.exceptions.NoSuchEntityException:
            log.debug("%s: managed policy %s is not known locally", r.address, arn)
    r.ref = name
    r.attrs = {"Arn": role["Arn"], "RoleId": role["RoleId"]}


@creates("AWS::IAM::Policy")
def _inline_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    document = policy_json(p["PolicyDocument"])
    for role in p.get("Roles") or []:
        iam.put_role_policy(RoleName=role, PolicyName=p["PolicyName"], PolicyDocument=document)
    for user in p.get("Users") or []:
        iam.put_user_policy(UserName=user, PolicyName=p["PolicyName"], PolicyDocument=document)
    for group in p.get("Groups") or []:
        iam.put_group_policy(GroupName=group, PolicyName=p["PolicyName"], PolicyDocument=document)
    r.ref = ctx.name_for(r.logical_id)


@creates("AWS::IAM::ManagedPolicy")
def _managed_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    name = p.get("ManagedPolicyName") or ctx.name_for(r.logical_id, max_len=128)
    arn = iam.create_policy(PolicyName=name, Path=p.get("Path", "/"), PolicyDocument=policy_json(p["PolicyDocument"]))[
        "Policy"
    ]["Arn"]
    for role in p.get("Roles") or []:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    r.ref = arn
    r.attrs = {"PolicyArn": arn}


@creates("AWS::SSM::Parameter")
def _ssm_parameter(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("Name") or ctx.name_for(r.logical_id)
    value = p["Value"]
    if isinstance(value, list):
        value = ",".join(value)
    ctx.aws("ssm").put_parameter(Name=name, Value=str(value), Type=p.get("Type", "String"), Overwrite=True)
    r.ref = name
    r.attrs = {"Type": p.get("Type", "String"), "Value": str(value)}


@creates("AWS::SES::EmailIdentity")
def _email_identity(ctx: StackContext, r: Resource) -> None:
    identity = r.properties["EmailIdentity"]
    ses = ctx.aws("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    r.ref = identity
