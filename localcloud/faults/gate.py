"""FaultGate: the outermost layer of the AWS endpoint, answering a request with an injected error when a
rule matches it, before authentication, the tap log or moto see it (nothing is recorded or stored).

With no error rule for the request's service the request passes untouched, at the cost of one list
check; the body is read (and kept for the layers behind) only when a rule names the service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from localcloud.faults.rules import Faults, Request, short_names
from localcloud.faults.shapes import error_response
from localcloud.front import sigv4
from localcloud.front.actions import service_action
from localcloud.front.errors import protocol_of
from localcloud.front.s3_actions import s3_access
from localcloud.front.wsgi_util import request_params

log = logging.getLogger("localcloud.faults")

_SIGNING_NAMES = {"email": "ses", "monitoring": "cloudwatch"}
_TRANSACT_PARTS = ("Put", "Update", "Delete", "ConditionCheck", "Get")


class FaultGate:
    """WSGI app: `app` with the error rules of `faults` applied in front of it."""

    def __init__(self, app: Callable, faults: Faults, *, region: str, account_id: str):
        self.app = app
        self.faults = faults
        self.region = region
        self.account_id = account_id

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.faults.rules:
            return self.app(environ, start_response)
        credential = sigv4.parse_credential(environ)
        service = _SIGNING_NAMES.get(credential.service, credential.service) if credential else ""
        if not service or not self.faults.wants(service):
            return self.app(environ, start_response)
        protocol = protocol_of(environ, service)
        rule = self.faults.error_for(self._request(environ, service, protocol, credential.region or self.region))
        if rule is None:
            return self.app(environ, start_response)
        status, headers, body = error_response(
            service, protocol, rule.error, rule.status, rule.message, environ.get("CONTENT_TYPE", "")
        )
        log.info("fault %s: %s answered %s", rule.id, service, status)
        start_response(status, headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]

    def _request(self, environ: dict, service: str, protocol: str, region: str) -> Request:
        method = environ.get("REQUEST_METHOD", "GET")
        raw_path, _ = sigv4.raw_target(environ)
        if protocol == "s3":
            return _s3_request(environ, method, raw_path)
        params = request_params(environ, protocol)
        target = environ.get("HTTP_X_AMZ_TARGET")
        wanted = service_action(service, method, raw_path, target, params, region, self.account_id)
        resources = [*short_names(wanted.resource)] if wanted.resource != "*" else []
        resources += _more_resources(service, params)
        return Request(service, wanted.operation, tuple(resources))


def _more_resources(service: str, params: dict[str, Any]) -> list[str]:
    """Tables named by batch and transaction requests; an email's sender (SES v1 Source, v2 From)."""
    names: list[str] = []
    if service == "dynamodb":
        items = params.get("RequestItems")
        if isinstance(items, dict):
            names += [name for name in items if isinstance(name, str)]
        for item in params.get("TransactItems") or ():
            for part in _TRANSACT_PARTS:
                table = item.get(part, {}).get("TableName") if isinstance(item, dict) else None
                if isinstance(table, str):
                    names.append(table)
    if service == "ses":
        for key in ("Source", "FromEmailAddress"):
            if isinstance(params.get(key), str):
                names.append(params[key])
    return [n for name in names for n in short_names(name)]


def _s3_request(environ: dict, method: str, raw_path: str) -> Request:
    """The operation (as the front's S3 checks name it) and the bucket and object it touches."""
    headers = {k[5:].lower().replace("_", "-"): v for k, v in environ.items() if k.startswith("HTTP_")}
    query = sigv4.parse_query(environ.get("QUERY_STRING", ""))
    access = s3_access(method, environ.get("HTTP_HOST", ""), raw_path, query, headers, None)
    if access.bucket is None:
        return Request("s3", access.operation)
    path = f"{access.bucket}/{access.key}" if access.key else access.bucket
    return Request("s3", access.operation, short_names(f"arn:aws:s3:::{path}"))
