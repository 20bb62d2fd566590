"""Error answers in each AWS protocol's own shape, so boto3 raises the ClientError (code and message)
a client would get from AWS."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

# kind -> (S3 code, S3 status, query code, query status, JSON code, JSON status)
_CODES = {
    "denied": ("AccessDenied", 403, "AccessDenied", 403, "AccessDeniedException", 400),
    "expired": ("ExpiredToken", 403, "ExpiredToken", 403, "ExpiredTokenException", 403),
    "unknown_key": ("InvalidAccessKeyId", 403, "InvalidClientTokenId", 403, "UnrecognizedClientException", 403),
    "bad_token": ("InvalidToken", 400, "InvalidClientTokenId", 403, "UnrecognizedClientException", 403),
    "bad_signature": ("SignatureDoesNotMatch", 403, "SignatureDoesNotMatch", 403, "InvalidSignatureException", 403),
    "malformed_xml": ("MalformedXML", 400, "MalformedInput", 400, "SerializationException", 400),
}

Response = tuple[str, list[tuple[str, str]], bytes]


def protocol_of(environ: dict, service: str) -> str:
    """ "s3", "json" (X-Amz-Target), "query" (form-encoded Action) or "rest-json"."""
    if service == "s3":
        return "s3"
    if environ.get("HTTP_X_AMZ_TARGET") or "x-amz-json" in environ.get("CONTENT_TYPE", ""):
        return "json"
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") or "Action=" in environ.get(
        "QUERY_STRING", ""
    ):
        return "query"
    return "rest-json"


def error_response(protocol: str, kind: str, message: str, head: bool = False) -> Response:
    s3_code, s3_status, query_code, query_status, json_code, json_status = _CODES[kind]
    request_id = str(uuid.uuid4())
    if protocol == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{s3_code}</Code><Message>{escape(message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>localcloud</HostId></Error>"
        ).encode()
        return _status(s3_status), _headers("application/xml", body, request_id, head), b"" if head else body
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{query_code}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        return _status(query_status), _headers("text/xml", body, request_id, head), body
    if protocol == "rest-json" and kind == "denied":
        json_status = 403  # REST services (Lambda, ...) answer 403; JSON-protocol ones 400
    body = json.dumps({"__type": json_code, "message": message, "Message": message}).encode()
    headers = _headers("application/x-amz-json-1.1", body, request_id, head)
    headers.append(("x-amzn-ErrorType", json_code))
    return _status(json_status), headers, body


def json_response(status: int, payload: dict) -> Response:
    body = json.dumps(payload).encode()
    request_id = str(uuid.uuid4())
    return _status(status), _headers("application/x-amz-json-1.1", body, request_id, False), body


def xml_response(body: str) -> Response:
    data = body.encode()
    return "200 OK", _headers("text/xml", data, str(uuid.uuid4()), False), data


def _headers(content_type: str, body: bytes, request_id: str, head: bool) -> list[tuple[str, str]]:
    return [
        ("Content-Type", content_type),
        ("Content-Length", "0" if head else str(len(body))),
        ("x-amz-request-id", request_id),
        ("x-amzn-RequestId", request_id),
    ]


def _status(code: int) -> str:
    return {200: "200 OK", 400: "400 Bad Request", 403: "403 Forbidden"}.get(code, f"{code} Error")
