"""An injected AWS error in the wire shape of the request's protocol, so the SDK raises the same
ClientError (code, status, retryability) it would raise against AWS.

JSON protocols (X-Amz-Target: DynamoDB's JSON 1.0, SQS, Kinesis, ...) answer `{"__type", "message"}`;
the query protocol (SES v1, SNS, STS, ...) an `<ErrorResponse>` document; REST-JSON (SES v2, Lambda, ...)
a status with `x-amzn-ErrorType`; S3 its `<Error>` document. With no error code given, a rule throttles,
with the code that service uses for it.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

Response = tuple[str, list[tuple[str, str]], bytes]

# the throttling error of each service, by protocol where one service speaks two (SES v1 and v2)
THROTTLES = {
    ("dynamodb", "json"): "ProvisionedThroughputExceededException",
    ("kinesis", "json"): "ProvisionedThroughputExceededException",
    ("ses", "query"): "Throttling",
    ("ses", "rest-json"): "TooManyRequestsException",
    ("lambda", "rest-json"): "TooManyRequestsException",
    ("sns", "query"): "Throttled",
    ("s3", "s3"): "SlowDown",
}
_GENERIC_THROTTLE = {"json": "ThrottlingException", "query": "Throttling", "rest-json": "TooManyRequestsException"}
STATUSES = {
    "TooManyRequestsException": 429,
    "Throttled": 429,
    "SlowDown": 503,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
    "InternalServerError": 500,
    "InternalFailure": 500,
    "InternalError": 500,
}
_MESSAGES = {
    "ProvisionedThroughputExceededException": "The level of configured provisioned throughput for the table "
    "was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    "Throttling": "Maximum sending rate exceeded.",
    "TooManyRequestsException": "Too many requests.",
    "SlowDown": "Please reduce your request rate.",
}
# the namespace DynamoDB puts before the code in `__type` (botocore keeps what follows the `#`)
_JSON_NAMESPACES = {"dynamodb": "com.amazonaws.dynamodb.v20120810#"}
_REASONS = {400: "Bad Request", 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"}


def error_code(service: str, protocol: str, code: str | None) -> str:
    if code:
        return code
    return THROTTLES.get((service, protocol)) or _GENERIC_THROTTLE.get(protocol, "SlowDown")


def error_response(
    service: str, protocol: str, code: str | None, status: int | None, message: str | None, content_type: str = ""
) -> Response:
    """The response AWS would send for `code` (default: the service's throttle)."""
    code = error_code(service, protocol, code)
    status = status or STATUSES.get(code, 400)
    message = message or _MESSAGES.get(code, f"{code} (injected by localcloud)")
    request_id = str(uuid.uuid4())
    headers = [("x-amzn-RequestId", request_id), ("x-amz-request-id", request_id)]
    if protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>localcloud</HostId></Error>"
        ).encode()
        headers.append(("Content-Type", "application/xml"))
    elif protocol == "query":
        fault = "Receiver" if status >= 500 else "Sender"
        body = (
            f"<ErrorResponse><Error><Type>{fault}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    elif protocol == "json":
        body = json.dumps({"__type": _JSON_NAMESPACES.get(service, "") + code, "message": message}).encode()
        headers.append(("Content-Type", content_type or "application/x-amz-json-1.1"))
        if service == "sqs":  # SQS's JSON protocol names the query-compatible code too
            headers.append(("x-amzn-query-error", f"{code};{'Receiver' if status >= 500 else 'Sender'}"))
    else:
        body = json.dumps({"message": message, "Type": "User" if status < 500 else "Service"}).encode()
        headers += [("Content-Type", "application/json"), ("x-amzn-ErrorType", code)]
    headers.append(("Content-Length", str(len(body))))
    return f"{status} {_REASONS.get(status, 'Error')}", headers, body
