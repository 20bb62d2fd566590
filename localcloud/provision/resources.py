"""One creator per CloudFormation resource type: make it in moto (or register it locally) and fill in
the resource's Ref and GetAtt values the way CloudFormation documents them."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localcloud.model import FunctionSpec, Resource

if TYPE_CHECKING:
    from localcloud.provision.stacks import StackContext

log = logging.getLogger("localcloud.provision")


class HandlerError(Exception):
    pass


Handler = Callable[["StackContext", Resource], None]
HANDLERS: dict[str, Handler] = {}


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for kind in types:
            HANDLERS[kind] = fn
        return fn

    return register


def create(ctx: StackContext, resource: Resource) -> None:
    handler = HANDLERS.get(resource.type)
    if handler is None:
        _placeholder(ctx, resource)
        log.warning("%s: %s is not emulated; only its ids exist", resource.address, resource.type)
        return
    handler(ctx, resource)


def _arn(ctx: StackContext, service: str, rest: str, *, region: bool = True, account: bool = True) -> str:
    return f"arn:aws:{service}:{ctx.region if region else ''}:{ctx.account_id if account else ''}:{rest}"


def _placeholder(ctx: StackContext, resource: Resource) -> None:
    name = ctx.name_for(resource.logical_id)
    service = resource.type.split("::")[1].lower() if resource.type.count("::") == 2 else "unknown"
    resource.ref = name
    resource.attrs = {"Arn": _arn(ctx, service, name)}


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _policy(document: Any) -> str:
    """A policy document as IAM stores it; CloudFormation allows omitting Version, moto does not."""
    if isinstance(document, dict) and "Version" not in document:
        document = {"Version": "2012-10-17", **document}
    return _json(document)


def _tags(props: dict) -> list[dict]:
    tags = props.get("Tags") or []
    if isinstance(tags, dict):
        return [{"Key": k, "Value": str(v)} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in tags]


# DynamoDB ----------------------------------------------------------------------------------------
@handles("AWS::DynamoDB::Table")
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
    if _tags(p):
        args["Tags"] = _tags(p)
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


# S3 ----------------------------------------------------------------------------------------------
@handles("AWS::S3::Bucket")
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
    if _tags(p):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(p)})
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
    """The bucket's queue and topic notifications in the S3 API shape (Lambda ones belong to `sources`)."""
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
    return out


@handles("AWS::S3::BucketPolicy")
def _bucket_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ctx.aws("s3").put_bucket_policy(Bucket=p["Bucket"], Policy=_policy(p["PolicyDocument"]))
    r.ref = ctx.name_for(r.logical_id)


# SQS / SNS / Kinesis -----------------------------------------------------------------------------
_QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
)


@handles("AWS::SQS::Queue")
def _queue(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    fifo = str(p.get("FifoQueue", "")).lower() == "true"
    name = p.get("QueueName") or ctx.name_for(r.logical_id, max_len=75 if fifo else 80)
    if fifo and not name.endswith(".fifo"):
        name += ".fifo"
    attributes = {k: str(p[k]).lower() if isinstance(p[k], bool) else str(p[k]) for k in _QUEUE_ATTRIBUTES if k in p}
    if p.get("RedrivePolicy"):
        attributes["RedrivePolicy"] = _json(p["RedrivePolicy"])
    if p.get("RedriveAllowPolicy"):
        attributes["RedriveAllowPolicy"] = _json(p["RedriveAllowPolicy"])
    url = ctx.aws("sqs").create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    r.ref = url
    r.attrs = {"Arn": _arn(ctx, "sqs", name), "QueueName": name, "QueueUrl": url}


@handles("AWS::SQS::QueuePolicy")
def _queue_policy(ctx: StackContext, r: Resource) -> None:
    sqs = ctx.aws("sqs")
    for url in r.properties.get("Queues") or []:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": _policy(r.properties["PolicyDocument"])})
    r.ref = ctx.name_for(r.logical_id)


@handles("AWS::SNS::Topic")
def _topic(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("TopicName") or ctx.name_for(r.logical_id, max_len=256)
    attributes = {}
    if str(p.get("FifoTopic", "")).lower() == "true":
        attributes["FifoTopic"] = "true"
        if not name.endswith(".fifo"):
            name += ".fifo"
    if "ContentBasedDeduplication" in p:
        attributes["ContentBasedDeduplication"] = str(p["ContentBasedDeduplication"]).lower()
    sns = ctx.aws("sns")
    arn = sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    for sub in p.get("Subscription") or []:
        if sub["Protocol"] != "lambda":
            sns.subscribe(TopicArn=arn, Protocol=sub["Protocol"], Endpoint=sub["Endpoint"])
    r.ref = arn
    r.attrs = {"TopicArn": arn, "TopicName": name}


@handles("AWS::SNS::Subscription")
def _subscription(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    if p["Protocol"] == "lambda":  # delivered by localcloud.sources through a hidden queue
        r.ref = f"{p['TopicArn']}:{ctx.name_for(r.logical_id)}"
        return
    attributes = {}
    for key in ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy"):
        if p.get(key):
            attributes[key] = _json(p[key])
    for key in ("FilterPolicyScope", "RawMessageDelivery"):
        if key in p:
            attributes[key] = str(p[key]).lower() if isinstance(p[key], bool) else str(p[key])
    sub = ctx.aws("sns").subscribe(
        TopicArn=p["TopicArn"],
        Protocol=p["Protocol"],
        Endpoint=p["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )
    r.ref = sub["SubscriptionArn"]


@handles("AWS::SNS::TopicPolicy")
def _topic_policy(ctx: StackContext, r: Resource) -> None:
    sns = ctx.aws("sns")
    for topic in r.properties.get("Topics") or []:
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue=_policy(r.properties["PolicyDocument"])
        )
    r.ref = ctx.name_for(r.logical_id)


@handles("AWS::Kinesis::Stream")
def _stream(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("Name") or ctx.name_for(r.logical_id, max_len=128)
    kinesis = ctx.aws("kinesis")
    mode = (p.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    if mode == "ON_DEMAND":
        kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    else:
        kinesis.create_stream(StreamName=name, ShardCount=int(p.get("ShardCount", 1)))
    r.ref = name
    r.attrs = {"Arn": _arn(ctx, "kinesis", f"stream/{name}")}


# Cognito ---------------------------------------------------------------------------------------
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


@handles("AWS::Cognito::UserPool")
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


@handles("AWS::Cognito::UserPoolClient")
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


@handles("AWS::Cognito::UserPoolGroup")
def _user_pool_group(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("GroupName") or ctx.name_for(r.logical_id)
    args = {k: p[k] for k in ("Description", "RoleArn", "Precedence") if k in p}
    if "Precedence" in args:
        args["Precedence"] = int(args["Precedence"])
    ctx.aws("cognito-idp").create_group(UserPoolId=p["UserPoolId"], GroupName=name, **args)
    r.ref = name


@handles("AWS::Cognito::IdentityPool")
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


@handles("AWS::Cognito::IdentityPoolRoleAttachment")
def _identity_pool_roles(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    ctx.aws("cognito-identity").set_identity_pool_roles(
        IdentityPoolId=p["IdentityPoolId"],
        Roles=p.get("Roles") or {},
        **({"RoleMappings": p["RoleMappings"]} if p.get("RoleMappings") else {}),
    )
    r.ref = ctx.name_for(r.logical_id)


# IAM / SSM ---------------------------------------------------------------------------------------
@handles("AWS::IAM::Role")
def _role(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    name = p.get("RoleName") or ctx.name_for(r.logical_id)
    role = iam.create_role(
        RoleName=name,
        Path=p.get("Path", "/"),
        AssumeRolePolicyDocument=_policy(p["AssumeRolePolicyDocument"]),
        Description=p.get("Description", ""),
    )["Role"]
    for policy in p.get("Policies") or []:
        iam.put_role_policy(
            RoleName=name, PolicyName=policy["PolicyName"], PolicyDocument=_policy(policy["PolicyDocument"])
        )
    for arn in p.get("ManagedPolicyArns") or []:
        try:
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)
        except iam.exceptions.NoSuchEntityException:
            log.debug("%s: managed policy %s is not known locally", r.address, arn)
    r.ref = name
    r.attrs = {"Arn": role["Arn"], "RoleId": role["RoleId"]}


@handles("AWS::IAM::Policy")
def _inline_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    document = _policy(p["PolicyDocument"])
    for role in p.get("Roles") or []:
        iam.put_role_policy(RoleName=role, PolicyName=p["PolicyName"], PolicyDocument=document)
    for user in p.get("Users") or []:
        iam.put_user_policy(UserName=user, PolicyName=p["PolicyName"], PolicyDocument=document)
    for group in p.get("Groups") or []:
        iam.put_group_policy(GroupName=group, PolicyName=p["PolicyName"], PolicyDocument=document)
    r.ref = ctx.name_for(r.logical_id)


@handles("AWS::IAM::ManagedPolicy")
def _managed_policy(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    iam = ctx.aws("iam")
    name = p.get("ManagedPolicyName") or ctx.name_for(r.logical_id, max_len=128)
    arn = iam.create_policy(PolicyName=name, Path=p.get("Path", "/"), PolicyDocument=_policy(p["PolicyDocument"]))[
        "Policy"
    ]["Arn"]
    for role in p.get("Roles") or []:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    r.ref = arn
    r.attrs = {"PolicyArn": arn}


@handles("AWS::SSM::Parameter")
def _ssm_parameter(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("Name") or ctx.name_for(r.logical_id)
    value = p["Value"]
    if isinstance(value, list):
        value = ",".join(value)
    ctx.aws("ssm").put_parameter(Name=name, Value=str(value), Type=p.get("Type", "String"), Overwrite=True)
    r.ref = name
    r.attrs = {"Type": p.get("Type", "String"), "Value": str(value)}


@handles("AWS::SES::EmailIdentity")
def _email_identity(ctx: StackContext, r: Resource) -> None:
    identity = r.properties["EmailIdentity"]
    ses = ctx.aws("ses")
    if "@" in identity:
        ses.verify_email_identity(EmailAddress=identity)
    else:
        ses.verify_domain_identity(Domain=identity)
    r.ref = identity


# Lambda (registered locally, never created in moto: moto's Lambda needs Docker) ------------------
@handles("AWS::Lambda::LayerVersion")
def _layer(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("LayerName") or ctx.name_for(r.logical_id)
    content = p.get("Content") or {}
    directory = ctx.code_dir(content.get("S3Key"))
    if directory is None:
        raise HandlerError(f"layer content {content} is not a local ContentUri")
    if not directory.is_dir():
        raise HandlerError(f"ContentUri {directory} is not a directory")
    arn = _arn(ctx, "lambda", f"layer:{name}:1")
    ctx.deployment.layers[arn] = directory
    r.ref = arn
    r.attrs = {"LayerVersionArn": arn}


@handles("AWS::Lambda::Function")
def _function(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    name = p.get("FunctionName") or ctx.name_for(r.logical_id)
    arn = _arn(ctx, "lambda", f"function:{name}")
    if p.get("PackageType") == "Image":
        raise HandlerError("container image functions need Docker; localcloud runs zip functions only")
    code = p.get("Code") or {}
    code_dir = ctx.code_dir(code.get("S3Key"))
    if code_dir is None and "ZipFile" in code:
        code_dir = _inline_code_dir(ctx, r, code["ZipFile"], p.get("Handler", "index.handler"))
    if code_dir is None:
        raise HandlerError(f"code {code} is not a local CodeUri")
    if not code_dir.is_dir():
        raise HandlerError(f"CodeUri {code_dir} is not a directory")
    layer_dirs: list[Path] = []
    for layer_arn in p.get("Layers") or []:
        directory = ctx.deployment.layers.get(layer_arn)
        if directory is None:
            raise HandlerError(f"layer {layer_arn} is not defined in this application")
        layer_dirs.append(directory)
    environment = {k: _env_string(v) for k, v in ((p.get("Environment") or {}).get("Variables") or {}).items()}
    reserved = p.get("ReservedConcurrentExecutions")
    spec = FunctionSpec(
        address=r.address,
        name=name,
        arn=arn,
        handler=p.get("Handler", ""),
        runtime=p.get("Runtime", "python3.13"),
        code_dir=code_dir,
        layer_dirs=layer_dirs,
        environment=environment,
        timeout=int(p.get("Timeout", 3)),
        memory=int(p.get("MemorySize", 128)),
        reserved_concurrency=int(reserved) if reserved is not None else None,
        architectures=list(p.get("Architectures") or ["x86_64"]),
    )
    ctx.deployment.functions[arn] = spec
    r.ref = name
    r.attrs = {"Arn": arn}


def _env_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


def _inline_code_dir(ctx: StackContext, r: Resource, source: str, handler: str) -> Path:
    import tempfile

    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    directory = Path(tempfile.gettempdir()) / "localcloud-inline" / f"{r.logical_id}-{digest}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{handler.rsplit('.', 1)[0]}.py").write_text(source)
    return directory


@handles("AWS::Lambda::Version", "AWS::Lambda::Alias")
def _function_version(ctx: StackContext, r: Resource) -> None:
    p = r.properties
    function = p.get("FunctionName", "")
    arn = function if function.startswith("arn:") else _arn(ctx, "lambda", f"function:{function}")
    qualifier = p.get("Name", "1")
    r.ref = f"{arn}:{qualifier}"
    r.attrs = {"Version": "1", "FunctionArn": arn}


@handles(
    "AWS::Lambda::Permission",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::Url",
)
def _lambda_config(ctx: StackContext, r: Resource) -> None:
    """Read from the Deployment by `sources` (mappings, invoke configs); permissions are not enforced."""
    r.ref = ctx.name_for(r.logical_id)
    r.attrs = {"Id": r.ref, "Arn": _arn(ctx, "lambda", f"event-source-mapping:{r.ref}")}


# API Gateway (served by localcloud.gateway) ------------------------------------------------------
def api_id(ctx: StackContext, logical_id: str) -> str:
    return hashlib.sha256(f"{ctx.name}/{logical_id}".encode()).hexdigest()[:10]


@handles("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api")
def _rest_api(ctx: StackContext, r: Resource) -> None:
    identifier = api_id(ctx, r.logical_id)
    r.ref = identifier
    r.attrs = {"RootResourceId": f"{identifier}root", "ApiId": identifier}
    r.attrs["ApiEndpoint"] = f"https://{identifier}.execute-api.{ctx.region}.amazonaws.com"


@handles(
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
)
def _api_part(ctx: StackContext, r: Resource) -> None:
    stage = r.type.endswith("::Stage") and r.properties.get("StageName")
    r.ref = stage or ctx.name_for(r.logical_id, lower=True)[-10:]
    r.attrs = {"DeploymentId": r.ref}


# Nested applications ---------------------------------------------------------------------------
@handles("AWS::CloudFormation::Stack")
def _nested_stack(ctx: StackContext, r: Resource) -> None:
    url = r.properties.get("TemplateURL")
    template = ctx.loaded.nested_paths.get(url)
    if template is None:
        raise HandlerError(f"nested template {url} is not a local file")
    if not template.exists():
        raise HandlerError(f"nested template {template} does not exist")
    name = ctx.name_for(r.logical_id, max_len=128)
    path = f"{ctx.path}/{r.logical_id}" if ctx.path else r.logical_id
    parameters = {k: v for k, v in (r.properties.get("Parameters") or {}).items()}
    outputs = ctx.provisioner.deploy_stack(
        template, name=name, path=path, parameters=parameters, deployment=ctx.deployment
    )
    r.ref = f"arn:aws:cloudformation:{ctx.region}:{ctx.account_id}:stack/{name}/{api_id(ctx, r.logical_id)}"
    r.attrs = {f"Outputs.{k}": v for k, v in outputs.items()}
