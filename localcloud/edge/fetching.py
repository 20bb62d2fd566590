"""Which origin answers a behaviour, and how it is asked: S3 through the AWS front (as the distribution,
when it has OAC), this app's API Gateway in process, any other server over HTTP, and origin groups.

S3 requests carry the edge's identity in the WSGI environ (`localcloud.edge`), where no HTTP client can
put it: the front evaluates the bucket policy for principal `cloudfront.amazonaws.com` with
`AWS:SourceArn` = the distribution's ARN, as S3 does for a request signed by OAC. Without OAC the
request is anonymous, so only a public bucket answers it.

Origin groups fail over for GET, HEAD and OPTIONS when the primary errs or answers with one of the
group's status codes; the primary is always tried first.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from localcloud.edge.config import S3_DOMAIN, Distribution, Origin
from localcloud.edge.model import EdgeRequest
from localcloud.edge.origins import OriginError, OriginResponse, fetch_custom, in_process, wsgi_call
from localcloud.front.resource_only import EDGE_ENVIRON_KEY
from localcloud.model import HttpRequest, HttpResponse

FAILOVER_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OriginClient:
    def __init__(
        self,
        *,
        gateway: Callable[[HttpRequest], HttpResponse] | None = None,
        aws_app: Callable | None = None,
        region: str = "us-east-1",
    ):
        self.gateway = gateway
        self.aws_app = aws_app
        self.region = region
        self.fetches = 0  # every request that reached an origin, for the console and the tests

    def fetch(
        self, distribution: Distribution, target_id: str, request: EdgeRequest, *, viewer_https: bool = True
    ) -> tuple[Origin, OriginResponse]:
        """The response for `request` from the behaviour's target (an origin or an origin group)."""
        group = distribution.origin_groups.get(target_id)
        if group is None:
            origin = distribution.origins[target_id]
            return origin, self._one(distribution, origin, request, viewer_https)
        primary, secondary = (distribution.origins[m] for m in group.members)
        try:
            response = self._one(distribution, primary, request, viewer_https)
        except OriginError:
            if request.method.upper() not in FAILOVER_METHODS:
                raise
            return secondary, self._one(distribution, secondary, _for(request, primary, secondary), viewer_https)
        if response.status in group.status_codes and request.method.upper() in FAILOVER_METHODS:
            response.close()
            return secondary, self._one(distribution, secondary, _for(request, primary, secondary), viewer_https)
        return primary, response

    def fetch_from(
        self, distribution: Distribution, origin: Origin, request: EdgeRequest, *, viewer_https: bool = True
    ) -> OriginResponse:
        """An origin a Lambda@Edge origin-request function chose (`origin_from_event`)."""
        return self._one(distribution, origin, request, viewer_https)

    def _one(
        self, distribution: Distribution, origin: Origin, request: EdgeRequest, viewer_https: bool
    ) -> OriginResponse:
        self.fetches += 1
        with_path = EdgeRequest(
            request.method, origin.path + request.uri, request.querystring, request.headers, request.client_ip,
            request.body,
        )  # fmt: skip
        if origin.kind == "s3":
            return self._s3(distribution, origin, with_path)
        if origin.kind == "api" and self.gateway is not None:
            return self._api(origin, with_path)
        return fetch_custom(origin, with_path, viewer_https=viewer_https)

    def _api(self, origin: Origin, request: EdgeRequest) -> OriginResponse:
        assert self.gateway is not None and origin.api_id is not None
        answer = self.gateway(
            HttpRequest(
                method=request.method,
                path=f"/{origin.api_id}{request.uri}",
                query=request.querystring,
                headers=request.headers,
                body=request.body,
                client_ip=request.client_ip,
            )
        )
        return in_process(answer.status, answer.headers, answer.body)

    def _s3(self, distribution: Distribution, origin: Origin, request: EdgeRequest) -> OriginResponse:
        if self.aws_app is None:
            raise OriginError(502, f"origin {origin.id}: no AWS endpoint to reach bucket {origin.bucket}")
        path = "/" + quote(origin.bucket or "", safe="") + request.uri
        environ = _environ(request, path, host="s3.amazonaws.com")
        environ[EDGE_ENVIRON_KEY] = (
            {"service": "cloudfront.amazonaws.com", "source_arn": distribution.arn}
            if origin.oac_id
            else {"anonymous": True}
        )
        return wsgi_call(self.aws_app, environ)


def _for(request: EdgeRequest, primary: Origin, secondary: Origin) -> EdgeRequest:
    """The request as sent to the secondary: its custom headers instead of the primary's, and its Host
    where the primary's was set (a Host forwarded from the viewer stays)."""
    drop = {name.lower() for name, _ in primary.custom_headers}
    headers = [(k, v) for k, v in request.headers if k.lower() not in drop]
    headers = [(k, secondary.domain if k.lower() == "host" and v == primary.domain else v) for k, v in headers]
    headers += list(secondary.custom_headers)
    return replace(request, headers=headers)


def origin_from_event(spec: dict[str, Any], current: Origin) -> Origin:
    """The origin an origin-request function named in its result (the event's `custom` / `s3` shape)."""
    kind, fields = next(iter(spec.items()))
    headers = tuple((h["key"], h["value"]) for values in (fields.get("customHeaders") or {}).values() for h in values)
    domain = str(fields.get("domainName") or current.domain).lower()
    if kind == "s3":
        match = S3_DOMAIN.match(domain)
        return replace(current, id=f"{current.id}:routed", domain=domain, kind="s3", path=str(fields.get("path") or ""),
                       bucket=match.group("bucket") if match else None, custom_headers=headers)  # fmt: skip
    protocol = str(fields.get("protocol") or "https")
    port = int(fields.get("port") or (443 if protocol == "https" else 80))
    return replace(
        current, id=f"{current.id}:routed", domain=domain, kind="custom", path=str(fields.get("path") or ""),
        custom_headers=headers, protocol_policy=f"{protocol}-only", http_port=port, https_port=port,
        read_timeout=float(fields.get("readTimeout") or current.read_timeout),
    )  # fmt: skip


def _environ(request: EdgeRequest, path: str, *, host: str) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "PATH_INFO": path,
        "RAW_URI": path + (f"?{request.querystring}" if request.querystring else ""),
        "QUERY_STRING": request.querystring,
        "SERVER_NAME": host,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": request.client_ip,
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "CONTENT_LENGTH": str(len(request.body)),
        "HTTP_HOST": host,
    }
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        elif key != "HOST":
            environ[f"HTTP_{key}"] = value
    return environ
