"""Non-proxy integrations: `mock` (CORS preflights) and `aws` (AWS services or Lambda) with VTL mapping.

An AWS service integration sends what API Gateway would send: the rendered request template, signed, to
the local AWS endpoint (action-style URIs become X-Amz-Target JSON calls or Query-protocol calls as the
service speaks; path-style URIs are posted to that path). The service's raw answer then goes through the
integration responses (selection pattern on the status, response templates, response parameters).
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from localcloud.gateway.responses import literal
from localcloud.gateway.vtl import Input, TemplateError, render, render_response
from localcloud.model import HttpResponse, InvokeResult

log = logging.getLogger(__name__)

_URI = re.compile(r"arn:[^:]+:apigateway:([^:]*):([^:]+):(action|path)/(.*)")


class IntegrationError(Exception):
    """The integration cannot run as configured; `kind` names the gateway response to answer with."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class MappingContext:
    """What mapping templates and parameter mappings can read about the request."""

    body: bytes
    params: dict[str, dict[str, str]]  # {"path": {...}, "querystring": {...}, "header": {...}}
    context: dict[str, Any]
    stage_vars: dict[str, str]
    content_type: str
    accept: str | None

    def input(self) -> Input:
        return Input(self.body, self.params)

    def source(self, expression: str) -> str | None:
        """A mapping source: 'literal', method.request.{path,querystring,header,body}, stageVariables.x, context.x."""
        expr = str(expression)
        if expr.startswith("'"):
            return literal(expr)
        for prefix, kind in (
            ("method.request.path.", "path"),
            ("method.request.querystring.", "querystring"),
            ("method.request.header.", "header"),
        ):
            if expr.startswith(prefix):
                name = expr[len(prefix) :]
                values = self.params.get(kind, {})
                if kind == "header":
                    return next((v for k, v in values.items() if k.lower() == name.lower()), None)
                return values.get(name)
        if expr == "method.request.body":
            return self.body.decode("utf-8", errors="replace")
        if expr.startswith("stageVariables."):
            return self.stage_vars.get(expr[len("stageVariables.") :])
        if expr.startswith("context."):
            node: Any = self.context
            for part in expr[len("context.") :].split("."):
                node = node.get(part) if isinstance(node, dict) else None
            return None if node is None else str(node)
        return None


def _pick_template(templates: dict[str, str], content_type: str) -> tuple[str | None, str | None]:
    if not templates:
        return None, None
    mime = (content_type or "application/json").split(";")[0].strip().lower()
    for key, template in templates.items():
        if key.lower() == mime:
            return key, template
    return None, None


def render_request(integration: dict[str, Any], mc: MappingContext) -> bytes:
    templates = integration.get("requestTemplates") or {}
    _, template = _pick_template(templates, mc.content_type)
    if template is None:
        behavior = str(integration.get("passthroughBehavior", "when_no_match")).lower()
        if behavior == "never" or (behavior == "when_no_templates" and templates):
            raise IntegrationError("UNSUPPORTED_MEDIA_TYPE", f"no request template for {mc.content_type!r}")
        return mc.body
    try:
        return render(template, input=mc.input(), context=mc.context, stage_vars=mc.stage_vars).encode()
    except TemplateError as exc:
        raise IntegrationError("BAD_REQUEST_BODY", str(exc)) from None


def integration_response(
    integration: dict[str, Any], mc: MappingContext, selector: str, status: int, body: bytes, headers: dict[str, str]
) -> HttpResponse:
    """Apply the integration response whose selection pattern matches `selector` (or the default)."""
    responses = integration.get("responses") or {}
    chosen = None
    for pattern, spec in responses.items():
        if pattern == "default":
            continue
        sel = spec.get("selectionPattern", pattern) if isinstance(spec, dict) else pattern
        try:
            if re.fullmatch(str(sel), selector, flags=re.DOTALL):
                chosen = spec
                break
        except re.error:
            log.warning("bad selectionPattern %r", sel)
    if chosen is None:
        chosen = responses.get("default")
    if chosen is None:
        return HttpResponse(status, [("Content-Type", headers.get("content-type", "application/json"))], body)
    out_status = int(chosen.get("statusCode", status))
    out_headers: list[tuple[str, str]] = []
    templates = chosen.get("responseTemplates") or {}
    content_type = "application/json"
    out_body = body
    status_override, header_overrides = None, {}
    if templates:
        key, template = _pick_template(templates, mc.accept or "application/json")
        if template is None:
            key, template = _pick_template(templates, "application/json")
        if template is None:
            key, template = next(iter(templates.items()))
        content_type = key
        try:
            rendered, status_override, header_overrides = render_response(
                template, input=Input(body, mc.params), context=mc.context, stage_vars=mc.stage_vars
            )
            out_body = rendered.encode()
        except TemplateError as exc:
            raise IntegrationError("API_CONFIGURATION_ERROR", f"response template failed: {exc}") from None
    else:
        content_type = headers.get("content-type", "application/json")
    out_headers.append(("Content-Type", content_type))
    for target, source in (chosen.get("responseParameters") or {}).items():
        if not target.startswith("method.response.header."):
            continue
        name = target[len("method.response.header.") :]
        if str(source).startswith("integration.response.header."):
            value = headers.get(str(source)[len("integration.response.header.") :].lower())
        elif str(source).startswith("integration.response.body"):
            value = body.decode("utf-8", errors="replace")
        else:
            value = mc.source(source)
        if value is not None:
            out_headers = [(k, v) for k, v in out_headers if k.lower() != name.lower()]
            out_headers.append((name, value))
    for name, value in header_overrides.items():
        out_headers = [(k, v) for k, v in out_headers if k.lower() != name.lower()]
        out_headers.append((name, value))
    return HttpResponse(status_override or out_status, out_headers, out_body)


def mock(integration: dict[str, Any], mc: MappingContext) -> HttpResponse:
    rendered = render_request(integration, mc)
    status = 200
    try:
        document = json.loads(rendered) if rendered.strip() else {}
        status = int(document.get("statusCode", 200)) if isinstance(document, dict) else 200
    except (ValueError, TypeError):
        raise IntegrationError(
            "API_CONFIGURATION_ERROR", 'the mock request template must give {"statusCode": N}'
        ) from None
    return integration_response(integration, mc, str(status), status, rendered, {})


class AwsServices:
    """Calls AWS services as API Gateway's `aws` integration does, against the local AWS endpoint."""

    def __init__(self, aws: Callable[[str], Any], invoke: Callable[[str, dict], InvokeResult], region: str):
        self._aws = aws
        self._invoke = invoke
        self._region = region

    def call(self, integration: dict[str, Any], mc: MappingContext) -> HttpResponse:
        uri = str(integration.get("uri", ""))
        m = _URI.fullmatch(uri)
        if not m:
            raise IntegrationError("API_CONFIGURATION_ERROR", f"unsupported aws integration uri {uri!r}")
        region, service, style, target = m.groups()
        body = render_request(integration, mc)
        if service == "lambda":
            return self._lambda(integration, mc, target, body)
        req_headers: dict[str, str] = {}
        query: dict[str, str] = {}
        path_values: dict[str, str] = {}
        for dest, source in (integration.get("requestParameters") or {}).items():
            value = mc.source(source)
            if value is None:
                continue
            if dest.startswith("integration.request.header."):
                req_headers[dest[len("integration.request.header.") :]] = value
            elif dest.startswith("integration.request.querystring."):
                query[dest[len("integration.request.querystring.") :]] = value
            elif dest.startswith("integration.request.path."):
                path_values[dest[len("integration.request.path.") :]] = value
        method = str(integration.get("httpMethod", "POST")).upper()
        client = self._aws(service)
        metadata = client.meta.service_model.metadata
        query_protocol = metadata.get("protocol") == "query" or "awsQueryCompatible" in metadata
        if style == "action":
            path = "/"
            if query_protocol:
                query = {"Action": target, "Version": metadata.get("apiVersion", ""), **query}
                form = any(k.lower() == "content-type" and "form-urlencoded" in v for k, v in req_headers.items())
                if not form:
                    body = b""  # Query-protocol parameters travel in the query string
            else:
                req_headers.setdefault("X-Amz-Target", f"{metadata.get('targetPrefix')}.{target}")
                req_headers.setdefault("Content-Type", f"application/x-amz-json-{metadata.get('jsonVersion', '1.0')}")
        else:
            path = "/" + re.sub(r"\{([^}]+)\}", lambda g: quote(path_values.get(g.group(1), ""), safe=""), target)
        if not any(k.lower() == "content-type" for k in req_headers):
            req_headers["Content-Type"] = "application/x-www-form-urlencoded" if query_protocol else "application/json"
        status, headers, data = self._send(client, method, path, query, req_headers, body, region or self._region)
        return integration_response(integration, mc, str(status), status, data, headers)

    def call_action(self, service: str, action: str, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """One action with its parameters in the API's own casing, as an HTTP API first-class integration
        sends it (Query protocol where the service still speaks it, as SQS answers API Gateway in XML)."""
        client = self._aws(service)
        metadata = client.meta.service_model.metadata
        if metadata.get("protocol") == "query" or "awsQueryCompatible" in metadata:
            form = {
                "Action": action,
                "Version": metadata.get("apiVersion", ""),
                **{k: str(v) for k, v in params.items()},
            }
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return self._send(client, "POST", "/", {}, headers, urlencode(form).encode(), self._region)
        shape = client.meta.service_model.operation_model(action).input_shape
        headers = {
            "X-Amz-Target": f"{metadata.get('targetPrefix')}.{action}",
            "Content-Type": f"application/x-amz-json-{metadata.get('jsonVersion', '1.0')}",
        }
        return self._send(client, "POST", "/", {}, headers, json.dumps(_shaped(params, shape)).encode(), self._region)

    def _send(self, client, method, path, query, headers, body, region) -> tuple[int, dict[str, str], bytes]:
        url = client.meta.endpoint_url.rstrip("/") + path + ("?" + urlencode(query) if query else "")
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        credentials = client._request_signer._credentials
        if credentials is not None:
            signing_name = client.meta.service_model.signing_name or client.meta.service_model.endpoint_prefix
            SigV4Auth(credentials.get_frozen_credentials(), signing_name, region).add_auth(request)
        prepared = request.prepare()
        raw = urllib.request.Request(
            prepared.url, data=prepared.body or None, method=method, headers=dict(prepared.headers)
        )
        try:
            with urllib.request.urlopen(raw, timeout=30) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()
        except OSError as exc:
            raise IntegrationError("INTEGRATION_FAILURE", f"cannot reach the local AWS endpoint: {exc}") from None

    def _lambda(self, integration: dict[str, Any], mc: MappingContext, target: str, body: bytes) -> HttpResponse:
        m = re.search(r"functions/(.+?)/invocations", target)
        if not m:
            raise IntegrationError("API_CONFIGURATION_ERROR", f"unsupported lambda integration target {target!r}")
        try:
            event = json.loads(body) if body.strip() else {}
        except ValueError:
            raise IntegrationError("BAD_REQUEST_BODY", "the request template did not render JSON") from None
        result = self._invoke(m.group(1), event)
        if result.error:
            message = str(result.error.get("errorMessage", ""))
            data = json.dumps(result.error).encode()
            return integration_response(integration, mc, message, 200, data, {})
        data = json.dumps(result.payload).encode()
        return integration_response(integration, mc, "", 200, data, {})


def _shaped(value: Any, shape: Any) -> Any:
    """`value` with its keys named as `shape`'s members (matched case-insensitively: StateMachineArn →
    stateMachineArn for Step Functions' JSON API)."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        out = {}
        for key, item in value.items():
            name = members.get(key.lower(), key)
            out[name] = _shaped(item, shape.members.get(name))
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_shaped(item, shape.member) for item in value]
    return value
