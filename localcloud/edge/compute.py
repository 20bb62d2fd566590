"""Edge functions at the four points of a request: CloudFront Functions (viewer-request, viewer-response)
in an embedded JavaScript engine, and Lambda@Edge (all four) in the same warm workers as every function.

The pipeline calls the four hooks on every request; each does nothing unless the behaviour associates a
function with that event. Origin triggers are called by the pipeline on cache misses only.
A function that throws, times out or returns something CloudFront would refuse becomes
`EdgeFunctionFailed` with the status CloudFront answers (503 for a CloudFront Function, 502 or 503 for
Lambda@Edge as its docs say).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from localcloud.edge import cf_functions, edge_origins, lambda_edge
from localcloud.edge.book import FunctionCode
from localcloud.edge.config import Behavior, Distribution, Origin
from localcloud.edge.model import EdgeRequest, EdgeResponse
from localcloud.edge.origins import OriginResponse
from localcloud.model import InvokeResult, Throttled


class EdgeFunctionFailed(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class EdgeCompute:
    def __init__(
        self,
        functions: dict[str, FunctionCode],
        invoke: Callable[[str, dict], InvokeResult] | None = None,
        key_value_stores: dict[str, dict[str, str]] | None = None,
    ):
        self.functions = functions
        self.invoke = invoke
        self.key_value_stores = key_value_stores or {}
        self._compiled: dict[str, cf_functions.CloudFrontFunction] = {}
        self._lock = threading.Lock()
        self.runs: dict[str, int] = {}  # by "event-type function", for the console and the tests

    # the four points ----------------------------------------------------------------------------

    def viewer_request(
        self, distribution: Distribution, behavior: Behavior, request: EdgeRequest, request_id: str
    ) -> EdgeRequest | EdgeResponse:
        association = behavior.function("viewer-request")
        if association is not None:
            function = self._function(association.function_arn)
            event = cf_functions.viewer_request_event(
                request, distribution_domain=distribution.domain_name, distribution_id=distribution.id,
                request_id=request_id,
            )  # fmt: skip
            result = self._run(lambda: function.viewer_request(event), association.function_arn, "viewer-request")
            changed = self._cff(lambda: cf_functions.apply_request(result, request))
            if isinstance(changed, EdgeResponse):
                return changed
            request = changed
        return self._lambda("viewer-request", distribution, behavior, request, request_id)

    def origin_request(
        self, distribution: Distribution, behavior: Behavior, request: EdgeRequest, origin: Origin, request_id: str
    ) -> EdgeRequest | EdgeResponse:
        return self._lambda("origin-request", distribution, behavior, request, request_id, origin=origin)

    def origin_response(
        self,
        distribution: Distribution,
        behavior: Behavior,
        request: EdgeRequest,
        response: OriginResponse,
        request_id: str,
    ) -> OriginResponse:
        association = behavior.lambda_for("origin-response")
        if association is None or self.invoke is None:
            return response
        head = EdgeResponse(response.status, response.headers, b"")
        changed = self._lambda("origin-response", distribution, behavior, request, request_id, response=head)
        assert isinstance(changed, EdgeResponse)
        if changed.body not in (b"", None) and changed is not head:
            response.close()
            return OriginResponse(changed.status, changed.headers, changed.chunks())
        return OriginResponse(changed.status, changed.headers, response.body, response.close)

    def viewer_response(
        self,
        distribution: Distribution,
        behavior: Behavior,
        request: EdgeRequest,
        response: EdgeResponse,
        request_id: str,
    ) -> EdgeResponse:
        if response.status >= 400:
            return response  # viewer-response functions do not run on the origin's errors
        association = behavior.lambda_for("viewer-response")
        if association is not None and self.invoke is not None:
            body = response.body
            head = EdgeResponse(response.status, response.headers, b"")
            changed = self._lambda("viewer-response", distribution, behavior, request, request_id, response=head)
            assert isinstance(changed, EdgeResponse)
            response = (
                changed if changed.body not in (b"", None) else EdgeResponse(changed.status, changed.headers, body)
            )
        function_association = behavior.function("viewer-response")
        if function_association is not None:
            function = self._function(function_association.function_arn)
            event = cf_functions.viewer_response_event(
                request, response, distribution_domain=distribution.domain_name, distribution_id=distribution.id,
                request_id=request_id,
            )  # fmt: skip
            arn = function_association.function_arn
            result = self._run(lambda: function.viewer_response(event), arn, "viewer-response")
            response = self._cff(lambda: cf_functions.apply_response(result, response))
        return response

    # helpers --------------------------------------------------------------------------------------

    def _function(self, arn: str) -> cf_functions.CloudFrontFunction:
        with self._lock:
            compiled = self._compiled.get(arn)
            if compiled is None:
                code = self.functions[arn]
                kvs: dict[str, str] = {}
                for store in code.key_value_stores:
                    kvs.update(self.key_value_stores.get(store, {}))
                compiled = cf_functions.CloudFrontFunction(code.code, name=code.name, runtime=code.runtime, kvs=kvs)
                self._compiled[arn] = compiled
            return compiled

    def _run(self, call: Callable[[], Any], arn: str, event_type: str) -> Any:
        self.runs[f"{event_type} {arn}"] = self.runs.get(f"{event_type} {arn}", 0) + 1
        return self._cff(call)

    @staticmethod
    def _cff(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except cf_functions.FunctionError as exc:
            raise EdgeFunctionFailed(exc.status, f"The CloudFront function failed: {exc.message}") from None

    def _lambda(
        self,
        event_type: str,
        distribution: Distribution,
        behavior: Behavior,
        request: EdgeRequest,
        request_id: str,
        *,
        origin: Origin | None = None,
        response: EdgeResponse | None = None,
    ) -> EdgeRequest | EdgeResponse:
        association = behavior.lambda_for(event_type)
        if association is None or self.invoke is None:
            return response if response is not None else request
        key = f"{event_type} {association.function_arn}"
        self.runs[key] = self.runs.get(key, 0) + 1
        event_origin = _origin_description(origin) if origin is not None else None
        event = lambda_edge.edge_event(
            event_type,
            request,
            distribution_domain=distribution.domain_name,
            distribution_id=distribution.id,
            request_id=request_id,
            origin=event_origin,
            response=response,
            include_body=association.include_body,
        )
        try:
            result = self.invoke(association.function_arn, event)
            return lambda_edge.interpret(event_type, result, request, response, origin=event_origin)
        except lambda_edge.EdgeFunctionError as exc:
            raise EdgeFunctionFailed(exc.status, exc.message) from None
        except Throttled:
            raise EdgeFunctionFailed(503, "Lambda@Edge limit exceeded (the function has no free concurrency)") from None
        except LookupError as exc:
            message = f"Lambda@Edge function {association.function_arn} is not deployed: {exc}"
            raise EdgeFunctionFailed(503, message) from None


def _origin_description(origin: Origin) -> dict[str, Any]:
    """The `origin` of an origin-request event: `s3` for a bucket's REST endpoint, `custom` for the rest."""
    if origin.kind == "s3":
        return edge_origins.s3_origin(origin.domain, path=origin.path, region="us-east-1",
                                      custom_headers=origin.custom_headers)  # fmt: skip
    https = origin.protocol_policy == "https-only"
    return edge_origins.custom_origin(
        origin.domain,
        port=origin.https_port if https else origin.http_port,
        protocol="https" if https else "http",
        path=origin.path,
        read_timeout=int(origin.read_timeout),
        custom_headers=origin.custom_headers,
    )
