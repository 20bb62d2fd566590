"""Event records exactly as Lambda hands them to functions, built from what boto3 returns from moto.

boto3 parses wire data into Python types (bytes, datetimes); Lambda delivers JSON, so binary values go
back to base64 and timestamps to epoch numbers here.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any


def epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        return value.timestamp()
    return float(value)


def iso(seconds: float) -> str:
    stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.b64encode(raw).decode("ascii")


def sqs_record(message: dict, queue_arn: str, region: str) -> dict:
    """One SQS message in Lambda's `Records[]` shape (lower-camel `messageAttributes`)."""
    attributes = {k: str(v) for k, v in (message.get("Attributes") or {}).items()}
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": attributes,
        "messageAttributes": {
            name: _sqs_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _sqs_attribute(value: dict) -> dict:
    shaped: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [_b64(v) for v in value.get("BinaryListValues") or []],
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        shaped["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        shaped["binaryValue"] = _b64(value["BinaryValue"])
    return shaped


def dynamodb_record(raw: dict, stream_arn: str, region: str) -> dict:
    """A DynamoDB stream record as Lambda delivers it (binary attributes base64, creation time in seconds)."""
    change = dict(raw.get("dynamodb") or {})
    if "ApproximateCreationDateTime" in change:
        change["ApproximateCreationDateTime"] = int(epoch(change["ApproximateCreationDateTime"]))
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = {k: _attribute_json(v) for k, v in change[image].items()}
    record = {
        "eventID": raw.get("eventID"),
        "eventName": raw.get("eventName"),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }
    if raw.get("userIdentity"):
        record["userIdentity"] = raw["userIdentity"]
    return record


def _attribute_json(value: Any) -> Any:
    """An AttributeValue as DynamoDB JSON: bytes become base64, nested maps and lists recurse."""
    if isinstance(value, (bytes, bytearray)):
        return _b64(bytes(value))
    if isinstance(value, dict):
        return {k: _attribute_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_attribute_json(v) for v in value]
    return value


def kinesis_record(raw: dict, shard_id: str, stream_arn: str, region: str, role_arn: str) -> dict:
    sequence = raw["SequenceNumber"]
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": raw["PartitionKey"],
            "sequenceNumber": sequence,
            "data": _b64(raw["Data"]),
            "approximateArrivalTimestamp": round(epoch(raw["ApproximateArrivalTimestamp"]), 3),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }


def sns_event(notification: dict, subscription_arn: str, region: str) -> dict:
    """The SNS → Lambda event built from the JSON notification SNS wrote to the hidden queue."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription_arn,
                "Sns": {
                    "Type": notification.get("Type", "Notification"),
                    "MessageId": notification.get("MessageId"),
                    "TopicArn": notification.get("TopicArn"),
                    "Subject": notification.get("Subject"),
                    "Message": notification.get("Message"),
                    "Timestamp": notification.get("Timestamp"),
                    "SignatureVersion": notification.get("SignatureVersion", "1"),
                    "Signature": notification.get("Signature", ""),
                    "SigningCertUrl": notification.get("SigningCertURL", ""),
                    "UnsubscribeUrl": (
                        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
                    ),
                    "MessageAttributes": notification.get("MessageAttributes") or {},
                },
            }
        ]
    }
