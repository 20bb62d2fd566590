"""HTTP API first-class AWS service integrations (`integrationSubtype`, e.g. SQS-SendMessage,
StepFunctions-StartSyncExecution): the route's `requestParameters` name the action's parameters, each a
static value or a `$request.…`, `$context.…` or `$stageVariables.…` reference, and the client gets the
service's own answer (SQS's XML, Step Functions' JSON), as from API Gateway.

Subtypes with no entry in `SUBTYPES` (Kinesis, AppConfig, and SQS message attributes) are refused with
a message naming them, never half-done.
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.gateway.events import RequestInfo
from localcloud.gateway.integrations import AwsServices
from localcloud.jsonpath import JsonPathError, find

# subtype -> (botocore service, action, the parameters API Gateway accepts for it)
SUBTYPES: dict[str, tuple[str, str, frozenset[str]]] = {
    "SQS-SendMessage": ("sqs", "SendMessage", frozenset({"QueueUrl", "MessageBody", "DelaySeconds",
                                                          "MessageDeduplicationId", "MessageGroupId"})),
    "SQS-ReceiveMessage": ("sqs", "ReceiveMessage", frozenset({"QueueUrl", "MaxNumberOfMessages",
                                                                "VisibilityTimeout", "WaitTimeSeconds"})),
    "SQS-DeleteMessage": ("sqs", "DeleteMessage", frozenset({"QueueUrl", "ReceiptHandle"})),
    "SQS-PurgeQueue": ("sqs", "PurgeQueue", frozenset({"QueueUrl"})),
    "StepFunctions-StartExecution": ("stepfunctions", "StartExecution",
                                     frozenset({"StateMachineArn", "Name", "Input"})),
    "StepFunctions-StartSyncExecution": ("stepfunctions", "StartSyncExecution",
                                         frozenset({"StateMachineArn", "Name", "Input", "TraceHeader"})),
    "StepFunctions-StopExecution": ("stepfunctions", "StopExecution", frozenset({"ExecutionArn", "Cause", "Error"})),
    "EventBridge-PutEvents": ("events", "PutEvents", frozenset({"Detail", "DetailType", "Source", "Time",
                                                                 "EventBusName", "Resources", "TraceHeader"})),
}  # fmt: skip


class UnsupportedSubtype(Exception):
    pass


def call(
    services: AwsServices, integration: dict[str, Any], info: RequestInfo, path_params: dict, stage_vars: dict
) -> tuple[int, dict[str, str], bytes]:
    """Run the integration's action; (status, headers, body) of the service's answer."""
    subtype = str(integration.get("integrationSubtype", ""))
    if subtype not in SUBTYPES:
        raise UnsupportedSubtype(f"integrationSubtype {subtype} is not emulated (emulated: {', '.join(SUBTYPES)})")
    service, action, accepted = SUBTYPES[subtype]
    params: dict[str, Any] = {}
    for name, source in (integration.get("requestParameters") or {}).items():
        if name == "Region":
            continue
        if name not in accepted:
            raise UnsupportedSubtype(f"{subtype}: parameter {name} is not emulated")
        value = _value(source, info, path_params, stage_vars)
        if value is not None:
            params[name] = value
    if service == "events":  # the one entry API Gateway builds from the flat parameters
        if "Resources" in params:
            params["Resources"] = [r.strip() for r in str(params["Resources"]).split(",") if r.strip()]
        params = {"Entries": [params]}
    return services.call_action(service, action, params)


def _value(source: Any, info: RequestInfo, path_params: dict, stage_vars: dict) -> Any:
    """A parameter's value: a whole `$request.…` / `$context.…` / `$stageVariables.…` reference, or text."""
    text = str(source)
    if text == "$request.body":
        return info.req.body.decode("utf-8", errors="replace")
    if text.startswith("$request.body."):
        try:
            document = json.loads(info.req.body or b"{}")
            found = find(document, "$" + text[len("$request.body") :])
        except (ValueError, JsonPathError):
            return None
        return found if isinstance(found, str) or found is None else json.dumps(found)
    for prefix, lookup in (
        ("$request.header.", lambda name: info.header(name)),
        ("$request.querystring.", lambda name: (info.query_lists().get(name) or [None])[0]),
        ("$request.path.", lambda name: path_params.get(name)),
        ("$stageVariables.", lambda name: stage_vars.get(name)),
        ("$context.", lambda name: {"requestId": info.request_id, "stage": info.stage, "apiId": info.api_id}.get(name)),
    ):
        if text.startswith(prefix):
            return lookup(text[len(prefix) :])
    return text
