"""The IAM action (`service:Operation`) and resource ARN of a non-S3 request, for the services boto3
reaches through the front: the operation comes from X-Amz-Target (JSON protocols), the `Action`
parameter (query protocol) or botocore's route table (REST protocols); the resource from the request's
queue, topic, table, stream or function name where there is one, else `*`."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

_IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "execute-api": "execute-api"}
# operations whose IAM action has another name
_IAM_ACTIONS = {
    "lambda:Invoke": "lambda:InvokeFunction",
    "lambda:InvokeAsync": "lambda:InvokeFunction",
    "lambda:InvokeWithResponseStream": "lambda:InvokeFunction",
}


@dataclass(frozen=True)
class ServiceAction:
    action: str  # "sqs:SendMessage"
    resource: str  # an ARN or "*"
    operation: str  # "SendMessage"


def service_action(
    signing_name: str,
    method: str,
    raw_path: str,
    target: str | None,
    params: dict[str, Any],
    region: str,
    account: str,
) -> ServiceAction:
    """`params` holds the query/form parameters or the JSON body's top-level fields."""
    prefix = _IAM_PREFIX.get(signing_name, signing_name)
    route_params: dict[str, str] = {}
    if target:
        operation = target.rsplit(".", 1)[-1]
    elif params.get("Action"):
        operation = str(params["Action"])
    else:
        operation, route_params = rest_operation(signing_name, method, raw_path)
    fields = {**params, **route_params}
    action = f"{prefix}:{operation}"
    return ServiceAction(_IAM_ACTIONS.get(action, action), _resource(prefix, fields, region, account), operation)


def _resource(prefix: str, fields: dict[str, Any], region: str, account: str) -> str:
    def text(name: str) -> str | None:
        value = fields.get(name)
        return value if isinstance(value, str) and value else None

    if prefix == "sqs" and text("QueueUrl"):
        return f"arn:aws:sqs:{region}:{account}:{text('QueueUrl').rstrip('/').rsplit('/', 1)[-1]}"
    if prefix == "sqs" and text("QueueName"):
        return f"arn:aws:sqs:{region}:{account}:{text('QueueName')}"
    if prefix == "sns":
        for name in ("TopicArn", "TargetArn", "ResourceArn"):
            if text(name):
                return text(name)
    if prefix == "dynamodb" and text("TableName"):
        table = text("TableName")
        return table if table.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{table}"
    if prefix == "kinesis":
        if text("StreamARN"):
            return text("StreamARN")
        if text("StreamName"):
            return f"arn:aws:kinesis:{region}:{account}:stream/{text('StreamName')}"
    if prefix == "firehose" and text("DeliveryStreamName"):
        return f"arn:aws:firehose:{region}:{account}:deliverystream/{text('DeliveryStreamName')}"
    if prefix == "lambda" and text("FunctionName"):
        name = text("FunctionName")  # a name, `name:qualifier`, `ACCOUNT:function:name` or an ARN
        if not name.startswith("arn:"):
            owner, _, bare = name.rpartition(":function:")
            name = f"arn:aws:lambda:{region}:{owner or account}:function:{bare}"
        qualified = name.count(":") > 6
        return f"{name}:{text('Qualifier')}" if text("Qualifier") and not qualified else name
    if prefix == "events" and text("EventBusName"):
        bus = text("EventBusName")
        return bus if bus.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{bus}"
    return "*"


def rest_operation(signing_name: str, method: str, raw_path: str) -> tuple[str, dict[str, str]]:
    """The operation a REST-protocol request names, from botocore's service model routes."""
    path = unquote(raw_path)
    best: tuple[int, str, dict[str, str]] | None = None
    for service in _candidate_services(signing_name, path):
        for http_method, pattern, literal_length, name in _routes(service):
            if http_method != method.upper():
                continue
            match = pattern.fullmatch(path)
            if match and (best is None or literal_length > best[0]):
                best = (literal_length, name, {k: v for k, v in match.groupdict().items() if v})
    return (best[1], best[2]) if best else ("Unknown", {})


def _candidate_services(signing_name: str, path: str) -> list[str]:
    if signing_name == "ses" and path.startswith("/v2/"):
        return ["sesv2"]
    return [signing_name]


@functools.cache
def _routes(service: str) -> list[tuple[str, re.Pattern, int, str]]:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    try:
        model = botocore.session.get_session().get_service_model(service)
    except UnknownServiceError:
        return []
    routes = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http.get("requestUri", "/").split("?", 1)[0]
        regex = ""
        literal = 0
        for piece in re.split(r"(\{[^}]+\})", uri):
            if piece.startswith("{"):
                label = re.sub(r"\W", "_", piece[1:-1].rstrip("+"))
                regex += f"(?P<{label}>.+)" if piece.endswith("+}") else f"(?P<{label}>[^/]+)"
            else:
                regex += re.escape(piece)
                literal += len(piece)
        routes.append((http.get("method", "POST"), re.compile(regex + "/?"), literal, name))
    return routes
