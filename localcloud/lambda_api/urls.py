"""Function URLs (`AWS::Lambda::Url`, SAM's `FunctionUrlConfig`) served on the local HTTP server at
`/lambda-url/<url-id>/...`: AuthType NONE, or AWS_IAM with a SigV4 signature for `lambda` checked by
the front's credentials and policies (`lambda:InvokeFunctionUrl` on the function); CORS from the URL's
configuration; the payload format 2.0 event and response mapping that Function URLs share with HTTP APIs.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from localcloud.gateway import cors as cors_rules
from localcloud.gateway import events
from localcloud.gateway.iam_auth import IamAuth, http_authorizer
from localcloud.gateway.pipeline import Refused
from localcloud.lambda_api.catalog import Catalog
from localcloud.lambda_api.url_config import PREFIX, FunctionUrl, function_urls
from localcloud.model import Deployment, HttpRequest, HttpResponse, InvokeResult, Throttled
from localcloud.requestlog import RequestLog, note_call

if TYPE_CHECKING:
    from localcloud.front.principals import Principals

log = logging.getLogger(__name__)

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
    "+json",
    "+xml",
)


class FunctionUrls:
    def __init__(
        self,
        deployment: Deployment,
        catalog: Catalog,
        invoke: Callable[[str, Any], InvokeResult],
        principals: Principals | None,
        clock: Callable[[], float] = time.time,
        requests: RequestLog | None = None,
    ):
        """`requests`, when given, records each request served with its invocation (the console's request
        log and the terminal's lines), as the gateway does for APIs."""
        self.deployment = deployment
        self.requests = requests
        self.urls = {url.url_id: url for url in function_urls(deployment, catalog)}
        self._invoke = invoke
        self._clock = clock
        self._iam = IamAuth(principals, deployment.region, service="lambda", action="lambda:InvokeFunctionUrl")

    def listing(self) -> dict[str, str]:
        """`Stack/Function` → local URL, for endpoints.json (`Stack/Function:qualifier` for a second URL of
        the same function on another alias)."""
        out: dict[str, str] = {}
        for url in self.urls.values():
            key = url.target.spec.address
            out[f"{key}:{url.target.qualifier}" if key in out else key] = url.url
        return out

    def handles(self, req: HttpRequest) -> bool:
        return req.path.startswith(PREFIX)

    def handle(self, req: HttpRequest) -> HttpResponse:
        rest = req.path[len(PREFIX) :]
        key, _, path = rest.partition("/")
        url = self.urls.get(key)
        if url is None:
            return _message(404, "Not Found", f"no Function URL with id {key!r}")
        info = events.RequestInfo(
            req=req,
            api_id=url.url_id,
            stage="$default",
            path="/" + path,
            request_id=str(uuid.uuid4()),
            now=self._clock(),
            domain=f"{url.url_id}.lambda-url.{self.deployment.region}.on.aws",
        )
        exchange = None
        if self.requests is not None:
            exchange = self.requests.open(info.request_id, req.method, req.path, req.query, req.headers, req.body)
            exchange.api, exchange.api_id, exchange.stage = f"{url.target.spec.address} URL", url.url_id, "$default"
        resp = self._respond(url, info)
        resp.headers.append(("x-amzn-RequestId", info.request_id))
        if exchange is not None and self.requests is not None:
            self.requests.close(exchange, resp)
        return resp

    def _respond(self, url: FunctionUrl, info: events.RequestInfo) -> HttpResponse:
        cors = {key[:1].lower() + key[1:]: value for key, value in url.cors.items()}
        if cors and cors_rules.is_preflight(cors, info):
            return cors_rules.preflight(cors, info)
        resp = self._serve(url, info)
        if cors:
            cors_rules.apply(cors, info, resp)
        return resp

    def _serve(self, url: FunctionUrl, info: events.RequestInfo) -> HttpResponse:
        authorizer = None
        if url.auth_type == "AWS_IAM":
            try:
                caller = self._iam.check(info, url.target.arn)
            except Refused as exc:
                return _message(403, "Forbidden", exc.reason)
            authorizer = http_authorizer(caller)
        event = events.http_event(
            info,
            route_key="$default",
            path_params={},
            stage_vars={},
            authorizer=authorizer,
            binary_types=[],
            account_id=self.deployment.account_id,
        )
        body = info.req.body
        if body and not _is_text(info.header("content-type")):
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        try:
            result = self._invoke(url.target.arn, event)
        except Throttled:
            return _message(429, "Rate Exceeded.", f"{url.target.spec.address} has no free concurrency")
        note_call(url.target.spec.address, "integration", event, result)
        if result.error is not None:
            reason = f"{url.target.spec.address} failed: {result.error.get('errorMessage')}"
            return _message(502, "Internal Server Error", reason)
        try:
            return events.http_response(result.payload)
        except events.MalformedResponse as exc:
            return _message(502, "Internal Server Error", f"malformed response from the function: {exc}")


def _is_text(content_type: str | None) -> bool:
    mime = (content_type or "text/plain").split(";")[0].strip().lower()
    return any(mime.startswith(t) if t.endswith("/") else (mime == t or mime.endswith(t)) for t in _TEXT_TYPES)


def _message(status: int, message: str, reason: str) -> HttpResponse:
    return HttpResponse(
        status,
        [("Content-Type", "application/json"), ("x-localcloud-reason", reason[:500])],
        json.dumps({"Message": message}).encode(),
    )
