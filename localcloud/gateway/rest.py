"""A REST API request: route → throttle → authorize → validate → cache → integration → cache."""

from __future__ import annotations

import logging
import re
from typing import Any

from localcloud.gateway import auth, cache, events, iam_auth, integrations
from localcloud.gateway.apis import Api, Stage
from localcloud.gateway.authorizer_calls import authorizer_function, execute_api_arn, request_authorizer_call
from localcloud.gateway.deps import PipelineDeps
from localcloud.gateway.events import MalformedResponse, RequestInfo
from localcloud.gateway.pipeline import Refused, function_of
from localcloud.gateway.responses import gateway_response
from localcloud.gateway.routes import Route
from localcloud.gateway.validation import Invalid
from localcloud.model import HttpResponse

log = logging.getLogger(__name__)


class RestPipeline:
    def __init__(self, deps: PipelineDeps):
        self.deps = deps

    def handle(self, api: Api, stage: Stage, info: RequestInfo) -> HttpResponse:
        # The $context a refusal or a mapping template sees, as of the stage reached; built only if one
        # needs it (a proxy integration that succeeds never does).
        known: tuple[Route | None, dict[str, Any] | None, dict[str, Any]] = (None, None, dict(info.identity))

        def context() -> dict[str, Any]:
            return self._context(api, stage, info, *known)

        try:
            route, path_params = api.routes.match_rest(info.method, info.path)
            if route is None:
                raise Refused(
                    "MISSING_AUTHENTICATION_TOKEN", f"no {info.method} method on a resource matching {info.path}"
                )
            known = (route, None, dict(info.identity))
            self._throttle(api, stage, route)
            authorizer = self._authorize(api, stage, info, route, path_params)
            known = (route, authorizer, dict(info.identity))
            params = self._params(info, path_params)
            self.deps.validators.check(api, route, params, info.req.body, info.header("content-type") or "")
            cache_key, ttl = self._cache_key(api, stage, info, route, path_params, params)
            use = cache.CacheUse()
            if cache_key is not None:
                use = self._cache_use(stage, info, route)
                hit = self.deps.cache.get(cache_key) if use.read else None
                if hit is not None:
                    return use.finish(hit)
            resp = self._integrate(api, stage, info, route, path_params, authorizer, params, context)
            if cache_key is not None and 200 <= resp.status < 300:
                self.deps.cache.put(cache_key, resp, ttl)
            return use.finish(resp)
        except Refused as exc:
            return self._refusal(api, stage, exc, context())
        except auth.Denied as exc:
            return self._refusal(api, stage, Refused(exc.kind, exc.reason, exc.message), context())
        except Invalid as exc:
            return self._refusal(api, stage, Refused(exc.kind, exc.message, exc.message), context())
        except integrations.IntegrationError as exc:
            return self._refusal(api, stage, Refused(exc.kind, str(exc)), context())

    def _refusal(self, api: Api, stage: Stage, exc: Refused, context: dict[str, Any]) -> HttpResponse:
        resp = gateway_response(
            exc.kind, api.gateway_responses, message=exc.message, context=context, stage_vars=stage.variables
        )
        resp.headers.append(("x-localcloud-reason", exc.reason[:500]))
        return resp

    def _throttle(self, api: Api, stage: Stage, route: Route) -> None:
        rate = stage.setting(route.resource, route.method, "rate")
        burst = stage.setting(route.resource, route.method, "burst")
        if not self.deps.buckets.allow((api.api_id, stage.name, route.resource, route.method), rate, burst):
            raise Refused("THROTTLED", f"{route.method} {route.resource} is over its rate {rate}/s, burst {burst}")

    def _authorize(
        self, api: Api, stage: Stage, info: RequestInfo, route: Route, path_params: dict[str, str]
    ) -> dict[str, Any] | None:
        if api.iam_auth(route.operation):
            caller = self.deps.iam.check(info, execute_api_arn(self.deps.deployment, info))
            info.identity = iam_auth.rest_identity(caller)
            return None
        for name, scopes, scheme, spec in api.authorizers(route.operation):
            kind = str(spec.get("type", "")).lower()
            if kind == "cognito_user_pools":
                token = auth.bearer(info.header(self._token_header(scheme, spec)))
                if not token:
                    raise Refused("UNAUTHORIZED", f"no token in the {self._token_header(scheme, spec)} header")
                claims = self.deps.verifier.verify_user_pool(token, list(spec.get("providerARNs") or []), scopes or [])
                return {"claims": auth.rest_claims(claims)}
            if kind == "token":
                return self._token_authorizer(api, stage, info, name, scheme, spec)
            if kind == "request":
                return self._request_authorizer(api, stage, info, route, path_params, name, spec)
            raise Refused("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {name} has unsupported type {kind!r}")
        return None

    @staticmethod
    def _token_header(scheme: dict, spec: dict) -> str:
        source = str(spec.get("identitySource") or "")
        if source.startswith("method.request.header."):
            return source[len("method.request.header.") :]
        return str(scheme.get("name") or "Authorization")

    def _token_authorizer(self, api, stage, info, name, scheme, spec) -> dict[str, Any]:
        header = self._token_header(scheme, spec)
        token = info.header(header)
        if not token:
            raise Refused("UNAUTHORIZED", f"authorizer {name}: no {header} header")
        pattern = spec.get("identityValidationExpression")
        if pattern and not re.fullmatch(str(pattern), token):
            raise Refused("UNAUTHORIZED", f"authorizer {name}: {header} does not match identityValidationExpression")
        function = authorizer_function(name, spec, "AUTHORIZER_CONFIGURATION_ERROR")
        arn = execute_api_arn(self.deps.deployment, info)
        event = {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        return self.deps.lambda_authorizers.authorize(name, function, event, (token,), _ttl(spec), arn)

    def _request_authorizer(self, api, stage, info, route, path_params, name, spec) -> dict[str, Any]:
        params = self._params(info, path_params)
        arn = execute_api_arn(self.deps.deployment, info)

        def event_for(identity: list[str]) -> dict[str, Any]:
            event = {"type": "REQUEST", "methodArn": arn, **self._proxy_event(api, stage, info, route, path_params)}
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            return event

        call = request_authorizer_call(
            name,
            spec,
            [s.strip() for s in str(spec.get("identitySource") or "").split(",") if s.strip()],
            identity_of=lambda source: self._identity_value(source, params, stage, info),
            event_for=event_for,
            ttl_of=_ttl,
            missing_uri_kind="AUTHORIZER_CONFIGURATION_ERROR",
        )
        return self.deps.lambda_authorizers.authorize(name, call.function, call.event, call.identity, call.ttl, arn)

    @staticmethod
    def _identity_value(source: str, params: dict, stage: Stage, info: RequestInfo) -> str | None:
        if source.startswith("method.request.header."):
            return info.header(source[len("method.request.header.") :])
        if source.startswith("method.request.querystring."):
            return params["querystring"].get(source[len("method.request.querystring.") :])
        if source.startswith("stageVariables."):
            return stage.variables.get(source[len("stageVariables.") :])
        if source.startswith("context."):
            return {"requestId": info.request_id, "stage": info.stage, "httpMethod": info.method}.get(
                source[len("context.") :]
            )
        return None

    @staticmethod
    def _params(info: RequestInfo, path_params: dict[str, str]) -> dict[str, dict[str, str]]:
        return {
            "path": dict(path_params),
            "querystring": {k: v[-1] for k, v in info.query_lists().items()},
            "header": {k: v for k, v in info.req.headers},
        }

    def _cache_key(self, api, stage, info, route, path_params, params) -> tuple[tuple | None, float]:
        if info.method != "GET" or not stage.cache_cluster:
            return None, 0
        if not stage.setting(route.resource, route.method, "caching"):
            return None, 0
        ttl = stage.setting(route.resource, route.method, "cache_ttl")
        ttl = 300 if ttl is None else ttl
        if ttl <= 0:
            return None, 0
        parts = []
        for name in route.integration.get("cacheKeyParameters") or []:
            name = str(name)
            if name.startswith("method.request.header."):
                parts.append((name, info.header(name[len("method.request.header.") :])))
            elif name.startswith("method.request.querystring."):
                parts.append((name, params["querystring"].get(name[len("method.request.querystring.") :])))
            elif name.startswith("method.request.path."):
                parts.append((name, path_params.get(name[len("method.request.path.") :])))
        key = (api.api_id, stage.name, "GET", route.resource, tuple(sorted(path_params.items())), tuple(parts))
        return key, ttl

    def _cache_use(self, stage: Stage, info: RequestInfo, route: Route) -> cache.CacheUse:
        """What the request's Cache-Control may do to the cache (see cache.py); authorized means its SigV4
        identity may execute-api:InvalidateCache the method, so a Cognito or unsigned caller never is."""
        arn = execute_api_arn(self.deps.deployment, info)
        invalidate = iam_auth.IamAuth(self.deps.iam.principals, self.deps.iam.region, action=cache.INVALIDATE_ACTION)

        def authorized() -> bool:
            try:
                invalidate.check(info, arn)
            except Refused:
                return False
            return True

        try:
            return cache.cache_use(
                [v for k, v in info.req.headers if k.lower() == "cache-control"],
                require_authorization=stage.setting(route.resource, route.method, "cache_control_auth") is not False,
                strategy=stage.setting(route.resource, route.method, "unauthorized_cache_control") or cache.WITH_HEADER,
                authorized=authorized,
            )
        except cache.InvalidationRefused as exc:
            raise Refused("ACCESS_DENIED", str(exc)) from None

    def _proxy_event(self, api, stage, info, route, path_params, authorizer=None) -> dict[str, Any]:
        """The payload 1.0 event of this request: what a proxy integration gets, and (trimmed) a REQUEST authorizer."""
        return events.rest_event(
            info,
            resource=route.resource,
            path_params=path_params,
            stage_vars=stage.variables,
            authorizer=authorizer,
            binary_types=api.binary_media_types,
            account_id=self.deps.deployment.account_id,
        )

    def _context(self, api, stage, info, route, authorizer, identity) -> dict[str, Any]:
        resource = route.resource if route else info.path
        return {
            "accountId": self.deps.deployment.account_id,
            "apiId": api.api_id,
            "requestId": info.request_id,
            "extendedRequestId": events.extended_request_id(info.request_id),
            "requestTime": events.request_time(info.now),
            "requestTimeEpoch": int(info.now * 1000),
            "stage": stage.name,
            "httpMethod": info.method,
            "resourcePath": resource,
            "resourceId": events.resource_id(resource),
            "path": f"/{stage.name}{info.path}",
            "domainName": info.domain,
            "protocol": "HTTP/1.1",
            "identity": {"sourceIp": info.req.client_ip, "userAgent": info.header("user-agent") or "", **identity},
            "authorizer": authorizer or {},
        }

    def _integrate(self, api, stage, info, route, path_params, authorizer, params, context) -> HttpResponse:
        integration = route.integration
        kind = str(integration.get("type", "")).lower()
        if kind == "aws_proxy":
            function = function_of(integration.get("uri"))
            if not function:
                raise Refused("API_CONFIGURATION_ERROR", f"{route.route_key}: aws_proxy uri names no Lambda function")
            event = self._proxy_event(api, stage, info, route, path_params, authorizer)
            result = self.deps.call_function(function, event)
            if result.error:
                raise Refused("INTEGRATION_FAILURE", f"function {function} failed: {result.error.get('errorMessage')}")
            try:
                resp = events.rest_response(result.payload)
            except MalformedResponse as exc:
                log.warning("Malformed Lambda proxy response from %s: %s", function, exc)
                raise Refused(
                    "INTEGRATION_FAILURE", f"Malformed Lambda proxy response from {function}: {exc}"
                ) from None
            if not any(k.lower() == "content-type" for k, _ in resp.headers):
                resp.headers.append(("Content-Type", "application/json"))
            return resp
        mc = integrations.MappingContext(
            body=info.req.body,
            params=params,
            context=context(),
            stage_vars=stage.variables,
            content_type=info.header("content-type") or "application/json",
            accept=info.header("accept"),
        )
        if kind == "mock":
            return integrations.mock(integration, mc)
        if kind == "aws":
            return self.deps.services.call(integration, mc)
        raise Refused(
            "API_CONFIGURATION_ERROR", f"{route.route_key}: integration type {kind!r} is not supported locally"
        )


def _ttl(spec: dict) -> int:
    """REST APIs cache a Lambda authorizer's answer for 300 seconds unless the authorizer says otherwise."""
    try:
        return int(spec.get("authorizerResultTtlInSeconds", 300))
    except (TypeError, ValueError):
        return 300
