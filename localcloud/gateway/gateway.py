"""The gateway: serves every API of a deployment under /{apiId}/{stage}/... on the local HTTP server."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from localcloud.gateway.apis import Api, load_apis
from localcloud.gateway.auth import CognitoVerifier, LambdaAuthorizers
from localcloud.gateway.cache import StageCache
from localcloud.gateway.deps import PipelineDeps
from localcloud.gateway.events import RequestInfo
from localcloud.gateway.httpapi import HttpApiPipeline
from localcloud.gateway.iam_auth import IamAuth
from localcloud.gateway.integrations import AwsServices
from localcloud.gateway.pipeline import call_function
from localcloud.gateway.responses import gateway_response
from localcloud.gateway.rest import RestPipeline
from localcloud.gateway.throttle import TokenBuckets
from localcloud.gateway.validation import Validators
from localcloud.model import Deployment, HttpRequest, HttpResponse, InvokeResult
from localcloud.requestlog import RequestLog, note_call
from localcloud.requestlog import current as current_exchange

if TYPE_CHECKING:
    from localcloud.front.principals import Principals

log = logging.getLogger(__name__)


class Gateway:
    """API Gateway for a `Deployment`: REST APIs (v1 events) and HTTP APIs (v2 events).

    `clock` (wall time, seconds) drives request times and token expiry; `monotonic` drives cache TTLs,
    throttling and authorizer caches. Tests inject both to expire things without sleeping.
    `principals` is the AWS front's credential and policy lookup that AWS_IAM methods are checked
    against; without it those methods refuse every request. `requests`, when given, records every
    request served with the function calls it made (the console's request log and the terminal lines).
    """

    def __init__(
        self,
        deployment: Deployment,
        invoke: Callable[[str, dict], InvokeResult],
        aws: Callable[[str], Any],
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        principals: Principals | None = None,
        requests: RequestLog | None = None,
    ):
        self.deployment = deployment
        self.requests = requests
        self._invoke = invoke
        self._clock = clock
        self.apis: dict[str, Api] = load_apis(deployment)
        self.cache = StageCache(monotonic)
        self.buckets = TokenBuckets(monotonic)
        self.verifier = CognitoVerifier(deployment.aws_endpoint, aws, clock)
        self.lambda_authorizers = LambdaAuthorizers(self._call_authorizer, monotonic)
        self.validators = Validators()
        self.iam = IamAuth(principals, deployment.region)
        self.services = AwsServices(aws, self.call_function, deployment.region)
        deps = PipelineDeps(
            deployment=deployment,
            call_function=self.call_function,
            buckets=self.buckets,
            verifier=self.verifier,
            lambda_authorizers=self.lambda_authorizers,
            iam=self.iam,
            cache=self.cache,
            validators=self.validators,
            services=self.services,
        )
        self._rest = RestPipeline(deps)
        self._http = HttpApiPipeline(deps)

    def call_function(self, function: str, event: dict) -> InvokeResult:
        result = call_function(self._invoke, function, event)
        note_call(self._address(function), "integration", event, result)
        return result

    def _call_authorizer(self, function: str, event: dict) -> InvokeResult:
        result = call_function(self._invoke, function, event)
        note_call(self._address(function), "authorizer", event, result)
        return result

    def _address(self, function: str) -> str:
        spec = self.deployment.function(function)
        return spec.address if spec else function

    def base_urls(self, host_url: str) -> dict[str, str]:
        """`Stack/LogicalId` of each API → its invoke URL on the local server (primary stage)."""
        host_url = host_url.rstrip("/")
        return {
            api.address: f"{host_url}/{api.api_id}/{api.primary_stage}"
            for api in self.apis.values()
            if api.primary_stage is not None
        }

    def reset(self) -> None:
        self.cache.reset()
        self.buckets.reset()
        self.verifier.reset()
        self.lambda_authorizers.reset()

    def handle(self, req: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        exchange = None
        if self.requests is not None:
            exchange = self.requests.open(request_id, req.method, req.path, req.query, req.headers, req.body)
        try:
            resp = self._dispatch(req, request_id)
        except Exception:
            log.exception("gateway failed on %s %s", req.method, req.path)
            resp = HttpResponse(
                500,
                [("Content-Type", "application/json"), ("x-localcloud-reason", "gateway error (see the log)")],
                json.dumps({"message": "Internal server error"}).encode(),
            )
        resp.headers.append(("x-amzn-RequestId", request_id))
        if exchange is not None:
            self.requests.close(exchange, resp)
        return resp

    def _dispatch(self, req: HttpRequest, request_id: str) -> HttpResponse:
        parts = req.path.split("/", 3)
        api = self.apis.get(parts[1]) if len(parts) > 1 else None
        if api is None:
            known = ", ".join(f"{a.api_id} ({a.address})" for a in self.apis.values()) or "none"
            return _json(404, {"message": f"No API with id {parts[1] if len(parts) > 1 else ''!r}; known: {known}"})
        stage_name = parts[2] if len(parts) > 2 else ""
        rest_of_path = parts[3] if len(parts) > 3 else ""
        if api.kind == "http" and stage_name not in api.stages and "$default" in api.stages:
            # An HTTP API's $default stage is served at the API's root: https://{id}.execute-api…/submit
            stage_name, rest_of_path = "$default", req.path.split("/", 2)[2] if len(parts) > 2 else ""
        _label_exchange(api, stage_name)
        stage = api.stages.get(stage_name)
        if stage is None:
            reason = f"API {api.address} has no stage {stage_name!r} (stages: {', '.join(api.stages) or 'none'})"
            if api.kind == "http":
                resp = _json(404, {"message": "Not Found"})
            else:
                resp = gateway_response("MISSING_AUTHENTICATION_TOKEN", api.gateway_responses)
            resp.headers.append(("x-localcloud-reason", reason))
            return resp
        info = RequestInfo(
            req=req,
            api_id=api.api_id,
            stage=stage.name,
            path="/" + rest_of_path,
            request_id=request_id,
            now=self._clock(),
            domain=req.header("host") or f"{api.api_id}.execute-api.{self.deployment.region}.amazonaws.com",
        )
        if api.kind == "rest":
            return self._rest.handle(api, stage, info)
        return self._http.handle(api, stage, info)


def _label_exchange(api: Api, stage: str) -> None:
    exchange = current_exchange()
    if exchange is not None:
        exchange.api, exchange.api_id, exchange.stage = api.address, api.api_id, stage


def _json(status: int, document: dict) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(document).encode())
