"""An HTTP API request: CORS preflight → route → throttle → JWT/Lambda authorizer → Lambda (payload 1.0 or
2.0) or a first-class AWS service integration (`service_integrations`)."""

from __future__ import annotations

import json
import logging
from typing import Any

from localcloud.gateway import auth, events, iam_auth, service_integrations
from localcloud.gateway import cors as cors_rules
from localcloud.gateway.apis import Api, Stage
from localcloud.gateway.authorizer_calls import execute_api_arn, request_authorizer_call
from localcloud.gateway.deps import PipelineDeps
from localcloud.gateway.events import MalformedResponse, RequestInfo
from localcloud.gateway.integrations import IntegrationError
from localcloud.gateway.pipeline import Refused, function_of
from localcloud.gateway.routes import Route
from localcloud.model import HttpResponse

log = logging.getLogger(__name__)

_ERRORS = {
    "UNAUTHORIZED": (401, "Unauthorized"),
    "ACCESS_DENIED": (403, "Forbidden"),
    "MISSING_AUTHENTICATION_TOKEN": (403, "Forbidden"),
    "INVALID_SIGNATURE": (403, "Forbidden"),
    "EXPIRED_TOKEN": (403, "Forbidden"),
    "RESOURCE_NOT_FOUND": (404, "Not Found"),
    "THROTTLED": (429, "Too Many Requests"),
    "INTEGRATION_FAILURE": (500, "Internal Server Error"),
}

_SIGNATURE_ERRORS = frozenset({"INVALID_SIGNATURE", "EXPIRED_TOKEN"})  # their message says what was wrong


class HttpApiPipeline:
    def __init__(self, deps: PipelineDeps):
        self.deps = deps

    def handle(self, api: Api, stage: Stage, info: RequestInfo) -> HttpResponse:
        cors = api.body.get("x-amazon-apigateway-cors")
        try:
            if cors_rules.is_preflight(cors, info):
                return cors_rules.preflight(cors, info)  # type: ignore[arg-type]
            route, path_params = api.routes.match_http(info.method, info.path)
            if route is None:
                raise Refused("RESOURCE_NOT_FOUND", f"no route matches {info.method} {info.path}")
            self._throttle(api, stage, route)
            authorizer = self._authorize(api, stage, info, route, path_params)
            resp = self._integrate(api, stage, info, route, path_params, authorizer)
        except Refused as exc:
            resp = self._error(exc)
        except auth.Denied as exc:
            resp = self._error(Refused(exc.kind, exc.reason))
        if isinstance(cors, dict):
            cors_rules.apply(cors, info, resp)
        return resp

    @staticmethod
    def _error(exc: Refused) -> HttpResponse:
        status, message = _ERRORS.get(exc.kind, (500, "Internal Server Error"))
        if exc.kind in _SIGNATURE_ERRORS and exc.message:
            message = exc.message
        body = json.dumps({"message": message}).encode()
        return HttpResponse(
            status, [("content-type", "application/json"), ("x-localcloud-reason", exc.reason[:500])], body
        )

    def _throttle(self, api: Api, stage: Stage, route: Route) -> None:
        specific = stage.route_settings.get(route.route_key) or {}
        rate = specific.get("ThrottlingRateLimit", stage.default_rate)
        burst = specific.get("ThrottlingBurstLimit", stage.default_burst)
        if not self.deps.buckets.allow((api.api_id, stage.name, route.route_key), rate, burst):
            raise Refused("THROTTLED", f"{route.route_key} is over its rate {rate}/s, burst {burst}")

    def _authorize(self, api, stage, info, route, path_params) -> dict[str, Any] | None:
        if api.iam_auth(route.operation):
            caller = self.deps.iam.check(info, execute_api_arn(self.deps.deployment, info))
            info.identity = iam_auth.rest_identity(caller)
            return iam_auth.http_authorizer(caller)
        for name, scopes, _scheme, spec in api.authorizers(route.operation):
            kind = str(spec.get("type", "")).lower()
            if kind == "jwt":
                return self._jwt(info, name, spec, scopes or [])
            if kind == "request":
                return self._lambda(api, stage, info, route, path_params, name, spec)
            raise Refused("INTEGRATION_FAILURE", f"authorizer {name} has unsupported type {kind!r}")
        return None

    def _identity(self, source: str, info: RequestInfo, stage: Stage) -> str | None:
        source = source.strip()
        if source.lower().startswith("$request.header."):
            return info.header(source[len("$request.header.") :])
        if source.startswith("$request.querystring."):
            values = info.query_lists(plus_is_space=True).get(source[len("$request.querystring.") :])
            return ",".join(values) if values else None
        if source.startswith("$stageVariables."):
            return stage.variables.get(source[len("$stageVariables.") :])
        if source.startswith("$context."):
            return {"requestId": info.request_id, "stage": info.stage}.get(source[len("$context.") :])
        return None

    def _jwt(self, info: RequestInfo, name: str, spec: dict, scopes: list[str]) -> dict[str, Any]:
        sources = spec.get("identitySource") or "$request.header.Authorization"
        source = sources[0] if isinstance(sources, list) else str(sources).split(",")[0]
        token = auth.bearer(self._identity(source, info, None))  # type: ignore[arg-type]
        if not token:
            raise Refused("UNAUTHORIZED", f"authorizer {name}: no token in {source}")
        config = spec.get("jwtConfiguration") or {}
        issuer = str(config.get("issuer", ""))
        audiences = [str(a) for a in config.get("audience") or []]
        claims = self.deps.verifier.verify_jwt(token, issuer, audiences, scopes)
        granted = str(claims.get("scope", "")).split() or None
        return {"jwt": {"claims": auth.http_claims(claims), "scopes": granted}}

    def _lambda(self, api, stage, info, route, path_params, name, spec) -> dict[str, Any]:
        sources = spec.get("identitySource") or []
        sources = sources if isinstance(sources, list) else [s for s in str(sources).split(",") if s.strip()]
        route_arn = execute_api_arn(self.deps.deployment, info)

        def event_for(identity: list[str]) -> dict[str, Any]:
            if str(spec.get("authorizerPayloadFormatVersion", "2.0")) == "1.0":
                event = self._event("1.0", api, stage, info, route, path_params, None)
                joined = ",".join(identity)
                event.update({"type": "REQUEST", "methodArn": route_arn, "identitySource": joined})
                event["authorizationToken"] = joined
            else:
                event = self._event("2.0", api, stage, info, route, path_params, None)
                event.update({"type": "REQUEST", "routeArn": route_arn, "identitySource": identity})
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            return event

        call = request_authorizer_call(
            name,
            spec,
            sources,
            identity_of=lambda source: self._identity(source, info, stage),
            event_for=event_for,
            ttl_of=_authorizer_ttl,
            missing_uri_kind="INTEGRATION_FAILURE",
        )
        if spec.get("enableSimpleResponses"):
            answer = self.deps.lambda_authorizers.simple(name, call.function, call.event, call.identity, call.ttl)
            return {"lambda": answer}
        authorizers = self.deps.lambda_authorizers
        ctx = authorizers.authorize(name, call.function, call.event, call.identity, call.ttl, route_arn)
        ctx.pop("integrationLatency", None)
        principal = ctx.pop("principalId", None)
        return {"lambda": ctx, "principalId": principal}

    def _integrate(self, api, stage, info, route, path_params, authorizer) -> HttpResponse:
        integration = route.integration
        if integration.get("integrationSubtype"):
            return self._service(integration, stage, info, route, path_params)
        if str(integration.get("type", "")).lower() != "aws_proxy":
            raise Refused("INTEGRATION_FAILURE", f"{route.route_key}: only Lambda proxy integrations are supported")
        function = function_of(integration.get("uri"))
        if not function:
            raise Refused("INTEGRATION_FAILURE", f"{route.route_key}: the integration names no Lambda function")
        version = str(integration.get("payloadFormatVersion", "2.0"))
        event = self._event(version, api, stage, info, route, path_params, authorizer)
        result = self.deps.call_function(function, event)
        if result.error:
            raise Refused("INTEGRATION_FAILURE", f"function {function} failed: {result.error.get('errorMessage')}")
        try:
            return events.rest_response(result.payload) if version == "1.0" else events.http_response(result.payload)
        except MalformedResponse as exc:
            log.warning("Malformed Lambda response from %s: %s", function, exc)
            raise Refused("INTEGRATION_FAILURE", f"Malformed Lambda response from {function}: {exc}") from None

    def _service(self, integration, stage, info, route, path_params) -> HttpResponse:
        try:
            status, headers, body = service_integrations.call(
                self.deps.services, integration, info, path_params, stage.variables
            )
        except service_integrations.UnsupportedSubtype as exc:
            raise Refused("INTEGRATION_FAILURE", f"{route.route_key}: {exc}") from None
        except IntegrationError as exc:
            raise Refused("INTEGRATION_FAILURE", f"{route.route_key}: {exc}") from None
        return HttpResponse(status, [("Content-Type", headers.get("content-type", "application/json"))], body)

    def _event(self, version, api, stage, info, route, path_params, authorizer) -> dict[str, Any]:
        """The event in payload format `version` ("1.0", else 2.0) for this request."""
        common = {
            "path_params": path_params,
            "stage_vars": stage.variables,
            "authorizer": authorizer,
            "binary_types": api.binary_media_types,
            "account_id": self.deps.deployment.account_id,
        }
        if version == "1.0":
            event = events.rest_event(info, resource=route.resource, **common)
            event["version"] = "1.0"
            return event
        return events.http_event(info, route_key=route.route_key, **common)


def _authorizer_ttl(spec: dict) -> int:
    """HTTP APIs cache a Lambda authorizer's answer only when the authorizer sets a TTL."""
    return int(spec.get("authorizerResultTtlInSeconds", 0) or 0)
