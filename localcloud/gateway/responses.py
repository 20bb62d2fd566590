"""Gateway responses: the answers API Gateway gives itself (401, 403, 429...), overridable per API."""

from __future__ import annotations

import json
import logging
from typing import Any

from localcloud.gateway.vtl import Input, TemplateError, render
from localcloud.model import HttpResponse

log = logging.getLogger(__name__)

DEFAULTS: dict[str, tuple[int, str]] = {
    "ACCESS_DENIED": (403, "User is not authorized to access this resource"),
    "API_CONFIGURATION_ERROR": (500, "Internal server error"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "Authorizer configuration error"),
    "AUTHORIZER_FAILURE": (500, "Authorizer failure"),
    "BAD_REQUEST_PARAMETERS": (400, "Bad request parameters"),
    "BAD_REQUEST_BODY": (400, "Invalid request body"),
    "EXPIRED_TOKEN": (403, "The security token included in the request is expired"),
    "INTEGRATION_FAILURE": (502, "Internal server error"),
    "INTEGRATION_TIMEOUT": (504, "Endpoint request timed out"),
    "INVALID_API_KEY": (403, "Forbidden"),
    "INVALID_SIGNATURE": (403, "Forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Missing Authentication Token"),
    "QUOTA_EXCEEDED": (429, "Limit Exceeded"),
    "REQUEST_TOO_LARGE": (413, "Request Too Long"),
    "RESOURCE_NOT_FOUND": (404, "Not Found"),
    "THROTTLED": (429, "Too Many Requests"),
    "UNAUTHORIZED": (401, "Unauthorized"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "Unsupported Media Type"),
}


def gateway_response(
    kind: str,
    overrides: dict[str, Any],
    *,
    message: str | None = None,
    context: dict[str, Any] | None = None,
    stage_vars: dict[str, str] | None = None,
) -> HttpResponse:
    """The `kind` response, shaped by the API's `x-amazon-apigateway-gateway-responses` when it defines one."""
    status, default_message = DEFAULTS.get(kind, (500, "Internal server error"))
    message = message if message is not None else default_message
    family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
    spec = overrides.get(kind) or overrides.get(family) or {}
    if spec.get("statusCode"):
        try:
            status = int(spec["statusCode"])
        except (TypeError, ValueError):
            log.warning("gateway response %s has a bad statusCode %r", kind, spec["statusCode"])
    body = json.dumps({"message": message}).encode()
    content_type = "application/json"
    templates = spec.get("responseTemplates") or {}
    if templates:
        content_type, template = (
            ("application/json", templates["application/json"])
            if ("application/json" in templates)
            else next(iter(templates.items()))
        )
        ctx = dict(context or {})
        ctx["error"] = {
            "message": message,
            "messageString": json.dumps(message),
            "responseType": kind,
            "validationErrorString": message,
        }
        try:
            body = render(template, input=Input(b""), context=ctx, stage_vars=stage_vars or {}).encode()
        except TemplateError as exc:
            log.warning("gateway response %s template failed: %s", kind, exc)
    headers = [("Content-Type", content_type), ("x-amzn-ErrorType", _error_type(kind))]
    for key, value in (spec.get("responseParameters") or {}).items():
        if key.startswith("gatewayresponse.header."):
            headers.append((key[len("gatewayresponse.header.") :], literal(value)))
    return HttpResponse(status, headers, body)


def literal(value: Any) -> str:
    text = str(value)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    return text


def _error_type(kind: str) -> str:
    return {
        "UNAUTHORIZED": "UnauthorizedException",
        "ACCESS_DENIED": "AccessDeniedException",
        "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
        "INVALID_SIGNATURE": "InvalidSignatureException",
        "EXPIRED_TOKEN": "InvalidSignatureException",
        "THROTTLED": "TooManyRequestsException",
        "BAD_REQUEST_BODY": "BadRequestException",
        "BAD_REQUEST_PARAMETERS": "BadRequestException",
    }.get(kind, "InternalServerErrorException" if DEFAULTS.get(kind, (500,))[0] >= 500 else "BadRequestException")
