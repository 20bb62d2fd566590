"""Step Functions executions run in the ASL interpreter moto ships (every state type: Task, Choice, Map,
Parallel, Wait, Pass, Succeed, Fail, with Retry and Catch), switched on with moto's own setting.

The interpreter makes its service calls with boto3 clients it creates itself, aimed at a moto server on
`localhost:$MOTO_PORT`. `switch_on` (at start, cheap) turns executions on and sets MOTO_PORT to the
AWS endpoint's port; `enable` (when a template has a state machine) gives the interpreter cached clients
aimed at the endpoint's exact URL, so a Map over a hundred items does not build a hundred clients. Either
way a Lambda task invokes the local function through the Lambda API the front serves, and an SDK
integration (DynamoDB, SQS, SNS, EventBridge, ...) reaches the same local services the app's functions
use. The execution role's policies are not evaluated (calls are made as the local admin); on AWS they are.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from localcloud.model import FAKE_CREDENTIALS

_INTERPRETER = "moto.stepfunctions.parser"


def switch_on(aws_url: str) -> None:
    """Executions run (moto's own setting), and the interpreter's calls reach the endpoint at `aws_url`."""
    from moto.core.config import default_user_config

    default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
    os.environ["MOTO_PORT"] = str(urlsplit(aws_url).port)


def enable(aws_url: str) -> None:
    """Send the interpreter's service calls to `aws_url` through cached clients (idempotent)."""
    from moto.stepfunctions.parser.asl.utils import boto_client

    switch_on(aws_url)
    current = boto_client.boto_client_for
    replacement = _clients_for(aws_url)
    # each interpreter module imported the function by name: rebind it there (and in boto_client itself,
    # for the modules imported later)
    for name, module in list(sys.modules.items()):
        if name.startswith(_INTERPRETER) and getattr(module, "boto_client_for", None) is current:
            module.boto_client_for = replacement


def _clients_for(aws_url: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        parameter_validation=False,  # the interpreter passes parameters as the state wrote them
        retries={"max_attempts": 0, "total_max_attempts": 1},  # Retry in the definition decides
        connect_timeout=10,
        read_timeout=15 * 60,  # a Lambda task may run as long as Lambda allows
    )
    session = boto3.session.Session()
    clients: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        with lock:
            client = clients.get((region, service))
            if client is None:
                client = session.client(
                    service,
                    region_name=region,
                    endpoint_url=aws_url,
                    aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                    aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                    config=config,
                )
                clients[(region, service)] = client
            return client

    return boto_client_for


def executions(sfn: Any, state_machine_arn: str, limit: int = 50) -> list[dict[str, Any]]:
    """The newest executions of a state machine, as ListExecutions gives them."""
    found = sfn.list_executions(stateMachineArn=state_machine_arn, maxResults=limit)["executions"]
    return sorted(found, key=lambda item: item["startDate"], reverse=True)


def steps(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    """An execution's history as steps: each event's id, time, type, state name and input/output/error."""
    events: list[dict[str, Any]] = []
    token = None
    while True:
        more = {"nextToken": token} if token else {}
        page = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000, **more)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    out = []
    for event in events:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        out.append(
            {
                "id": event["id"],
                "timestamp": event["timestamp"],
                "type": event["type"],
                "state": details.get("name", ""),
                "input": details.get("input"),
                "output": details.get("output"),
                "error": details.get("error"),
                "cause": details.get("cause"),
            }
        )
    return out
