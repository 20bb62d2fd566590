"""One delivery to one rule or schedule target, by the target's ARN: a Lambda function (asynchronous
invoke through the function's own async queue), an SQS queue (FIFO with its MessageGroupId), an SNS
topic, a Step Functions state machine (StartExecution), another event bus, a log group or a Kinesis
stream. Anything else is refused with a clear reason, never dropped in silence.

A failure raises `DeliveryError`, which says whether EventBridge would retry it: throttling and service
errors are retried; a target that does not exist or refuses the call is not (its event goes straight
to the dead-letter queue, as on AWS).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from localcloud.eventbridge.transform import json_path

_RETRIABLE = ("Throttl", "TooManyRequests", "ServiceUnavailable", "InternalError", "InternalFailure", "RequestLimit")


class DeliveryError(Exception):
    def __init__(self, code: str, message: str, *, retriable: bool):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retriable = retriable


def arn_parts(arn: str) -> tuple[str, str]:
    """(service, resource) of an ARN; ("", "") when it is not one."""
    parts = arn.split(":", 5)
    return (parts[2], parts[5]) if len(parts) == 6 and parts[0] == "arn" else ("", "")


class Targets:
    def __init__(
        self,
        aws: Callable[[str], Any],
        *,
        invoke_async: Callable[[str, str, str], None],
        put_to_bus: Callable[[str, dict], None],
    ):
        """`invoke_async(channel, function_arn, payload)` hands a payload to the function's async queue
        (raising LookupError for an unknown function); `put_to_bus(bus, event)` routes an event again."""
        self.aws = aws
        self.invoke_async = invoke_async
        self.put_to_bus = put_to_bus

    def send(self, channel: str, target: dict, payload: str, event: dict | None) -> str:
        """Deliver; returns a short description of what was done (the event log's `note`)."""
        arn = str(target.get("Arn") or "")
        service, resource = arn_parts(arn)
        try:
            if service == "lambda":
                return self._lambda(channel, arn, payload)
            if service == "sqs":
                return self._queue(resource, payload, target)
            if service == "sns":
                message_id = self.aws("sns").publish(TopicArn=arn, Message=payload)["MessageId"]
                return f"published {message_id}"
            if service == "states":
                execution = self.aws("stepfunctions").start_execution(stateMachineArn=arn, input=_json_text(payload))
                return f"started {execution['executionArn']}"
            if service == "events" and resource.startswith("event-bus/"):
                return self._bus(resource.removeprefix("event-bus/"), payload, event)
            if service == "logs" and resource.startswith("log-group:"):
                return self._log_group(resource.removeprefix("log-group:").removesuffix(":*"), payload)
            if service == "kinesis" and resource.startswith("stream/"):
                return self._stream(resource.removeprefix("stream/"), payload, target, event)
        except DeliveryError:
            raise
        except ClientError as exc:
            error = exc.response.get("Error") or {}
            code = str(error.get("Code") or "ClientError")
            status = int((exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 400)
            retriable = status >= 500 or any(marker in code for marker in _RETRIABLE)
            raise DeliveryError(code, str(error.get("Message") or exc), retriable=retriable) from None
        except BotoCoreError as exc:
            raise DeliveryError(type(exc).__name__, str(exc), retriable=True) from None
        raise DeliveryError("UnsupportedTarget", f"localcloud does not deliver to {service or arn!r} targets",
                            retriable=False)  # fmt: skip

    def dead_letter(self, queue_arn: str, body: str, attributes: dict[str, str]) -> None:
        service, resource = arn_parts(queue_arn)
        if service != "sqs":
            raise DeliveryError("InvalidDeadLetterConfig", f"{queue_arn} is not an SQS queue", retriable=False)
        sqs = self.aws("sqs")
        url = sqs.get_queue_url(QueueName=resource)["QueueUrl"]
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items() if v},
        )

    def _lambda(self, channel: str, arn: str, payload: str) -> str:
        try:
            self.invoke_async(channel, arn, _json_text(payload))
        except LookupError:
            raise DeliveryError("ResourceNotFoundException", f"Function not found: {arn}", retriable=False) from None
        return "queued for asynchronous invocation"

    def _bus(self, bus: str, payload: str, event: dict | None) -> str:
        try:
            self.put_to_bus(bus, event or json.loads(payload))
        except LookupError as exc:
            raise DeliveryError("ResourceNotFoundException", str(exc), retriable=False) from None
        return f"sent to bus {bus}"

    def _queue(self, name: str, payload: str, target: dict) -> str:
        sqs = self.aws("sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        params: dict[str, Any] = {"QueueUrl": url, "MessageBody": payload}
        if name.endswith(".fifo"):
            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            if not group:
                raise DeliveryError("InvalidParameter", f"{name} is a FIFO queue: the target needs "
                                    "SqsParameters.MessageGroupId", retriable=False)  # fmt: skip
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ContentBasedDeduplication"])
            if attributes["Attributes"].get("ContentBasedDeduplication") != "true":
                raise DeliveryError("InvalidParameter", f"{name}: an EventBridge target FIFO queue must have "
                                    "content-based deduplication enabled", retriable=False)  # fmt: skip
            params["MessageGroupId"] = group
        message_id = sqs.send_message(**params)["MessageId"]
        return f"sent {message_id}"

    def _log_group(self, group: str, payload: str) -> str:
        import time

        logs = self.aws("logs")
        stream = uuid.uuid4().hex
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(logGroupName=group, logStreamName=stream,
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": payload}])  # fmt: skip
        return f"logged to {group}"

    def _stream(self, name: str, payload: str, target: dict, event: dict | None) -> str:
        key_path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
        key = json_path(event, key_path) if key_path and event is not None else None
        partition = key if isinstance(key, str) and key else (event or {}).get("id") or uuid.uuid4().hex
        self.aws("kinesis").put_record(StreamName=name, Data=payload.encode(), PartitionKey=str(partition))
        return f"put to stream {name}"


def _json_text(payload: str) -> str:
    """Lambda and Step Functions take JSON: a plain-text payload (from a text template) goes as a string."""
    try:
        json.loads(payload)
        return payload
    except ValueError:
        return json.dumps(payload)
