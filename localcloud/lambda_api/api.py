"""The Lambda API on the AWS endpoint, answered before moto for the app's functions (moto's Lambda needs
Docker and does not know them): Invoke, InvokeAsync, ListFunctions, GetFunction, GetFunctionConfiguration,
ListVersionsByFunction, GetAlias, ListAliases, GetFunctionUrlConfig, GetFunctionConcurrency,
GetFunctionEventInvokeConfig and UpdateFunctionConfiguration (lambda_api.updating). Other Lambda calls, and
reads of functions created at run time, pass through to moto. IAM is the front's: this app sits where the
front forwards a request it has allowed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from localcloud.lambda_api.catalog import LATEST, Catalog, LambdaError, event_invoke_config
from localcloud.lambda_api.invoking import Answer, Invoker
from localcloud.lambda_api.updating import updated_spec
from localcloud.lambda_api.url_config import url_configuration
from localcloud.model import FunctionSpec

_ROUTES = [
    ("POST", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$"), "invoke"),
    ("POST", re.compile(r"^/2014-11-13/functions/(?P<name>[^/]+)/invoke-async/?$"), "invoke_async"),
    ("GET", re.compile(r"^/2015-03-31/functions/?$"), "list_functions"),
    ("GET", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/?$"), "get_function"),
    ("GET", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/configuration/?$"), "get_configuration"),
    ("PUT", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/configuration/?$"), "update_configuration"),
    ("GET", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/versions/?$"), "list_versions"),
    ("GET", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/aliases/?$"), "list_aliases"),
    ("GET", re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/aliases/(?P<alias>[^/]+)/?$"), "get_alias"),
    ("GET", re.compile(r"^/2021-10-31/functions/(?P<name>[^/]+)/url/?$"), "get_url"),
    ("GET", re.compile(r"^/2019-09-30/functions/(?P<name>[^/]+)/concurrency/?$"), "get_concurrency"),
    ("GET", re.compile(r"^/2019-09-25/functions/(?P<name>[^/]+)/event-invoke-config/?$"), "get_invoke_config"),
]
PAGE = 50


class LambdaApi:
    """WSGI app wrapping the rest of the front's chain (EventBridge's calls, Cognito's mail, moto)."""

    def __init__(self, app: Callable, *, read_body: Callable[[dict], bytes]):
        self.app = app
        self._read_body = read_body
        self.catalog: Catalog | None = None
        self.invoker: Invoker | None = None
        self._apply: Callable[[FunctionSpec], None] | None = None

    def attach(self, catalog: Catalog, invoker: Invoker, apply: Callable[[FunctionSpec], None] | None = None) -> None:
        """Serve the deployment's functions (until then every Lambda call reaches moto); `apply` puts an
        updated configuration into effect (ValueError when it cannot)."""
        self.catalog, self.invoker, self._apply = catalog, invoker, apply

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.catalog is None or not _signed_for_lambda(environ):
            return self.app(environ, start_response)
        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        for route_method, pattern, operation in _ROUTES:
            match = pattern.match(path) if route_method == method else None
            if match is None:
                continue
            query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
            try:
                answer = getattr(self, "_" + operation)(environ, query, **match.groupdict())
            except _PassThrough:
                return self.app(environ, start_response)
            except LambdaError as exc:
                answer = error_answer(exc)
            return _send(start_response, answer)
        return self.app(environ, start_response)

    # operations --------------------------------------------------------------------------------------

    def _target(self, name: str, qualifier: str | None, *, pass_unknown: bool = False):
        assert self.catalog is not None
        try:
            return self.catalog.resolve(name, qualifier or None)
        except LambdaError as exc:
            if pass_unknown and exc.status == 404:
                raise _PassThrough from None
            raise

    def _invoke(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.invoker is not None
        target = self._target(name, query.get("Qualifier"))
        return self.invoker.invoke(
            target,
            self._read_body(environ),
            environ.get("HTTP_X_AMZ_INVOCATION_TYPE") or "RequestResponse",
            environ.get("HTTP_X_AMZ_LOG_TYPE") or "None",
        )

    def _invoke_async(self, environ: dict, query: dict, name: str) -> Answer:
        """The deprecated InvokeAsync: an Event invoke that answers `{"Status": 202}`."""
        assert self.invoker is not None
        answer = self.invoker.invoke(self._target(name, None), self._read_body(environ), "Event", "None")
        return Answer(202, [*answer.headers, ("Content-Type", "application/json")], b'{"Status": 202}')

    def _list_functions(self, environ: dict, query: dict) -> Answer:
        assert self.catalog is not None
        configs = [self.catalog.configuration(spec) for spec in self.catalog.functions()]
        return _page(configs, "Functions", query, key=lambda config: config["FunctionName"])

    def _get_function(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, query.get("Qualifier"), pass_unknown=True)
        document: dict[str, Any] = {
            "Configuration": self.catalog.configuration(target.spec, target.version),
            "Code": {"RepositoryType": "S3", "Location": target.spec.code_dir.resolve().as_uri()},
        }
        if target.spec.reserved_concurrency is not None:
            document["Concurrency"] = {"ReservedConcurrentExecutions": target.spec.reserved_concurrency}
        return _json(200, document)

    def _get_configuration(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, query.get("Qualifier"), pass_unknown=True)
        return _json(200, self.catalog.configuration(target.spec, target.version))

    def _update_configuration(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, None, pass_unknown=True)
        if target.qualifier or self._apply is None:
            raise LambdaError(400, "InvalidParameterValueException", "Unsupported qualifier or function: " + name)
        try:
            body = json.loads(self._read_body(environ) or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise LambdaError(400, "SerializationException", "The request body is not valid JSON") from None
        if not isinstance(body, dict):
            raise LambdaError(400, "SerializationException", "The request body is not a JSON object")
        revision = body.get("RevisionId")
        if revision and revision != self.catalog.configuration(target.spec)["RevisionId"]:
            raise LambdaError(
                412,
                "PreconditionFailedException",
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                "API to retrieve the latest Revision Id",
            )
        spec = updated_spec(target.spec, body)
        try:
            self._apply(spec)
        except ValueError as exc:
            raise LambdaError(400, "InvalidParameterValueException", str(exc)) from None
        self.catalog.record_update(spec, body.get("Description"))
        return _json(200, self.catalog.configuration(spec))

    def _list_versions(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, None, pass_unknown=True)
        versions = [LATEST, *self.catalog.versions.get(target.spec.arn, [])]
        configs = [self.catalog.configuration(target.spec, version) for version in versions]
        return _page(configs, "Versions", query, key=lambda config: config["Version"])

    def _list_aliases(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        spec = self._target(name, None, pass_unknown=True).spec
        aliases = [self.catalog.alias_shape(spec, a) for a in self.catalog.aliases.get(spec.arn, {}).values()]
        version = query.get("FunctionVersion")
        aliases = [a for a in aliases if not version or a["FunctionVersion"] == version]
        return _page(aliases, "Aliases", query, key=lambda alias: alias["Name"])

    def _get_alias(self, environ: dict, query: dict, name: str, alias: str) -> Answer:
        assert self.catalog is not None
        spec = self._target(name, None, pass_unknown=True).spec
        found = self.catalog.aliases.get(spec.arn, {}).get(alias)
        if found is None:
            raise LambdaError(404, "ResourceNotFoundException", f"Cannot find alias arn: {spec.arn}:{alias}")
        return _json(200, self.catalog.alias_shape(spec, found))

    def _get_url(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, query.get("Qualifier"), pass_unknown=True)
        config = url_configuration(self.catalog.deployment, target)
        if config is None:
            raise LambdaError(404, "ResourceNotFoundException", "The resource you requested does not exist.")
        return _json(200, config)

    def _get_concurrency(self, environ: dict, query: dict, name: str) -> Answer:
        spec = self._target(name, None, pass_unknown=True).spec
        reserved = spec.reserved_concurrency
        return _json(200, {} if reserved is None else {"ReservedConcurrentExecutions": reserved})

    def _get_invoke_config(self, environ: dict, query: dict, name: str) -> Answer:
        assert self.catalog is not None
        target = self._target(name, query.get("Qualifier"), pass_unknown=True)
        config = event_invoke_config(self.catalog.deployment, target.spec)
        if config is None:
            raise LambdaError(
                404, "ResourceNotFoundException", f"The function {target.arn} doesn't have an EventInvokeConfig"
            )
        return _json(200, config)


def _signed_for_lambda(environ: dict) -> bool:
    """Only requests signed for Lambda are its API (a bucket may be named like a Lambda path segment)."""
    credential = environ.get("HTTP_AUTHORIZATION", "") or environ.get("QUERY_STRING", "")
    return "/lambda/aws4_request" in credential or "%2Flambda%2Faws4_request" in credential


class _PassThrough(Exception):
    """Not one of the app's functions: moto answers (a function created at run time, or its 404)."""


def error_answer(exc: LambdaError) -> Answer:
    body = {"Type": "User", "message": exc.message, **exc.extra}
    return Answer(
        exc.status, [("Content-Type", "application/json"), ("x-amzn-ErrorType", exc.code)], json.dumps(body).encode()
    )


def _json(status: int, document: dict) -> Answer:
    return Answer(status, [("Content-Type", "application/json")], json.dumps(document).encode())


def _page(items: list[dict], key_name: str, query: dict, *, key: Callable[[dict], str]) -> Answer:
    """One page of a list, with Lambda's Marker/MaxItems paging (the marker is the last item's key)."""
    try:
        size = int(query.get("MaxItems") or PAGE)
    except ValueError:
        raise LambdaError(400, "InvalidParameterValueException", "MaxItems must be a number") from None
    marker = query.get("Marker")
    start = 0
    if marker:
        keys = [key(item) for item in items]
        if marker not in keys:
            raise LambdaError(400, "InvalidParameterValueException", f"Invalid marker: {marker}")
        start = keys.index(marker) + 1
    page = items[start : start + max(1, min(size, PAGE))]
    document: dict[str, Any] = {key_name: page}
    if start + len(page) < len(items):
        document["NextMarker"] = key(page[-1])
    return _json(200, document)


def _send(start_response: Callable, answer: Answer) -> list[bytes]:
    headers = list(answer.headers)
    names = {name.lower() for name, _ in headers}
    if "x-amzn-requestid" not in names:
        headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
    headers.append(("Content-Length", str(len(answer.body))))
    reasons = {
        200: "OK",
        202: "Accepted",
        204: "No Content",
        400: "Bad Request",
        403: "Forbidden",
        404: "Not Found",
        412: "Precondition Failed",
        413: "Request Entity Too Large",
        429: "Too Many Requests",
    }
    start_response(f"{answer.status} {reasons.get(answer.status, 'Error')}", headers)
    return [answer.body]
