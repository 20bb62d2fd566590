"""Record every message that crosses SNS, SQS, Kinesis, Firehose, EventBridge or SES in the EventLog, as
it enters (the console's "what was sent" view). Handles the protocols botocore uses (SNS and SES: query;
SQS: JSON, older clients query; Kinesis, Firehose and EventBridge: JSON; SESv2: REST JSON)."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections import defaultdict
from typing import Any

from localcloud.front import raw_email
from localcloud.model import EventLog

TAPPED = {
    "sns": {"Publish", "PublishBatch"},
    "sqs": {"SendMessage", "SendMessageBatch"},
    "kinesis": {"PutRecord", "PutRecords"},
    "firehose": {"PutRecord", "PutRecordBatch"},
    "events": {"PutEvents"},
    "ses": {"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendBulkEmail"},
}
_INDEXED = re.compile(r"^(?P<prefix>.+?)\.(?:member\.|entry\.)?(?P<n>\d+)(?:\.(?P<rest>.+))?$")


def is_tapped(service: str, operation: str) -> bool:
    return operation in TAPPED.get(service, ())


def record(
    events: EventLog,
    service: str,
    operation: str,
    params: dict[str, Any],
    *,
    region: str,
    account: str,
    path: str = "/",
) -> int:
    """Record the messages of one request; returns how many entries were written."""
    entries = list(_entries(service, operation, params, region, account, path))
    for channel, name, body, extra in entries:
        events.record(channel, operation, name, body, direction="in", **extra)
    return len(entries)


def _entries(service: str, operation: str, params: dict[str, Any], region: str, account: str, path: str):
    if service == "sns":
        topic = params.get("TopicArn") or params.get("TargetArn") or params.get("PhoneNumber") or ""
        if operation == "Publish":
            yield "sns", topic, _decoded(params.get("Message")), _sns_extra(params)
        else:
            for entry in _members(params, "PublishBatchRequestEntries"):
                yield "sns", topic, _decoded(entry.get("Message")), {"entry_id": entry.get("Id"), **_sns_extra(entry)}
    elif service == "sqs":
        url = params.get("QueueUrl") or path
        name = url.rstrip("/").rsplit("/", 1)[-1]
        arn = f"arn:aws:sqs:{region}:{account}:{name}"
        if operation == "SendMessage":
            yield "sqs", arn, _decoded(params.get("MessageBody")), _sqs_extra(params, url)
        else:
            entries = params.get("Entries")
            if not isinstance(entries, list):
                entries = _members(params, "SendMessageBatchRequestEntry")
            for entry in entries:
                extra = {"entry_id": entry.get("Id"), **_sqs_extra(entry, url)}
                yield "sqs", arn, _decoded(entry.get("MessageBody")), extra
    elif service == "kinesis":
        stream = params.get("StreamName") or str(params.get("StreamARN") or "").rsplit("/", 1)[-1]
        records = [params] if operation == "PutRecord" else list(params.get("Records") or [])
        for item in records:
            body, encoding = _kinesis_data(item.get("Data"))
            extra = {"partition_key": item.get("PartitionKey")}
            if encoding:
                extra["encoding"] = encoding
            yield "kinesis", stream, body, extra
    elif service == "firehose":
        stream = str(params.get("DeliveryStreamName") or "")
        records = [params.get("Record") or {}] if operation == "PutRecord" else list(params.get("Records") or [])
        for item in records:
            body, encoding = _kinesis_data(item.get("Data"))
            yield "firehose", stream, body, {"encoding": encoding} if encoding else {}
    elif service == "events":
        for entry in params.get("Entries") or []:
            bus = entry.get("EventBusName") or "default"
            extra = {"source": entry.get("Source"), "detail_type": entry.get("DetailType")}
            yield "events", bus, _decoded(entry.get("Detail")), extra
    elif service == "ses":
        message = _ses_v2(params) if "FromEmailAddress" in params or "Content" in params else _ses_v1(operation, params)
        yield "ses", message.get("from") or "", message, {}


def _decoded(value: Any) -> Any:
    """JSON text becomes the parsed value; anything else stays as it came."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _members(params: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    """Query-protocol lists (`Prefix.member.N.Field` or `Prefix.N.Field`) as a list of flat dicts."""
    grouped: dict[int, dict[str, Any]] = defaultdict(dict)
    for key, value in params.items():
        if not key.startswith(prefix + "."):
            continue
        match = _INDEXED.match(key)
        if match and match.group("prefix") == prefix:
            grouped[int(match.group("n"))][match.group("rest") or ""] = value
    return [grouped[n] for n in sorted(grouped)]


def _query_attributes(params: dict[str, Any], prefix: str) -> dict[str, Any]:
    out = {}
    for item in _members(params, prefix):
        if "Name" in item:
            out[item["Name"]] = {k.split(".", 1)[1]: v for k, v in item.items() if k.startswith("Value.") and "." in k}
    return out


def _attributes(params: dict[str, Any], json_name: str, query_prefix: str) -> dict[str, Any]:
    value = params.get(json_name)
    if isinstance(value, dict):
        return value
    return _query_attributes(params, query_prefix)


def _sns_extra(params: dict[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for field, name in (("Subject", "subject"), ("MessageGroupId", "group_id"), ("MessageStructure", "structure")):
        if params.get(field):
            extra[name] = params[field]
    attributes = _attributes(params, "MessageAttributes", "MessageAttributes")
    if attributes:
        extra["attributes"] = attributes
    return extra


def _sqs_extra(params: dict[str, Any], url: str) -> dict[str, Any]:
    extra: dict[str, Any] = {"queue_url": url}
    for field, name in (("MessageGroupId", "group_id"), ("DelaySeconds", "delay_seconds")):
        if params.get(field) not in (None, ""):
            extra[name] = params[field]
    attributes = _attributes(params, "MessageAttributes", "MessageAttribute")
    if attributes:
        extra["attributes"] = attributes
    return extra


def _kinesis_data(data: Any) -> tuple[Any, str | None]:
    if not isinstance(data, str):
        return data, None
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return data, "base64"
    try:
        return _decoded(raw.decode("utf-8")), None
    except UnicodeDecodeError:
        return data, "base64"


def _ses_v1(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    if operation == "SendRawEmail":
        message = _raw_email(params.get("RawMessage.Data", ""))
        destinations = [v for k, v in sorted(params.items()) if k.startswith("Destinations.member.")]
        if destinations:
            message["to"] = destinations
        if params.get("Source"):
            message["from"] = params["Source"]
        return message
    message: dict[str, Any] = {
        "from": params.get("Source", ""),
        "to": _list(params, "Destination.ToAddresses"),
        "cc": _list(params, "Destination.CcAddresses"),
        "bcc": _list(params, "Destination.BccAddresses"),
    }
    if operation == "SendTemplatedEmail":
        message["template"] = params.get("Template")
        message["template_data"] = _decoded(params.get("TemplateData"))
    elif operation == "SendBulkTemplatedEmail":
        message["template"] = params.get("Template")
        message["destinations"] = _members(params, "Destinations")
    else:
        message["subject"] = params.get("Message.Subject.Data")
        message["text"] = params.get("Message.Body.Text.Data")
        message["html"] = params.get("Message.Body.Html.Data")
    return {k: v for k, v in message.items() if v not in (None, [])}


def _ses_v2(params: dict[str, Any]) -> dict[str, Any]:
    destination = params.get("Destination") or {}
    content = params.get("Content") or {}
    message: dict[str, Any] = {}
    if "Raw" in content:
        message = _raw_email((content["Raw"] or {}).get("Data", ""))
    elif "Template" in content:
        template = content["Template"] or {}
        message = {"template": template.get("TemplateName"), "template_data": _decoded(template.get("TemplateData"))}
    elif "Simple" in content:
        simple = content["Simple"] or {}
        body = simple.get("Body") or {}
        message = {
            "subject": (simple.get("Subject") or {}).get("Data"),
            "text": (body.get("Text") or {}).get("Data"),
            "html": (body.get("Html") or {}).get("Data"),
        }
    if params.get("FromEmailAddress"):
        message["from"] = params["FromEmailAddress"]
    message.setdefault("from", "")
    for field, name in (("ToAddresses", "to"), ("CcAddresses", "cc"), ("BccAddresses", "bcc")):
        if destination.get(field):
            message[name] = destination[field]
    return {k: v for k, v in message.items() if v is not None}


def _list(params: dict[str, Any], prefix: str) -> list[str]:
    return [item.get("", "") for item in _members(params, prefix)]


def _raw_email(data: str) -> dict[str, Any]:
    try:
        raw = base64.b64decode(data)
    except (binascii.Error, ValueError):
        raw = data.encode("utf-8", "replace")
    return raw_email.summary(raw)
