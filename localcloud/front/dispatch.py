"""MotoDispatch: moto's server-mode WSGI app, with Flask taken off the path of ordinary requests.

moto's server (`DomainDispatcherApplication`) finds the backend for each request (a lock, then a loop
over some 200 URL regexes), then runs a per-service Flask app whose view, `convert_to_flask_response`,
hands a normalized `moto.core.request.Request` to the backend's handler and wraps its
`(status, headers, body)` in a Flask response that flask-cors decorates. This does the same steps
without Flask's request context: the backend resolution is cached per inferred host, the route comes
from the same Flask app's URL map, the request is the same `BackendRequest` (`from_wsgi_server`), the
handler is the same, and the response is built the way Flask builds it (a `flask.Response`, the HEAD
Content-Length fix, moto's HTTP errors as Flask renders them, and the `Access-Control-Allow-Origin: *`
that flask-cors adds to a request without an Origin).

Everything else goes to moto's own dispatcher, unchanged: the moto API (`/moto-api`, reset, ...),
instance metadata, CORS requests (an Origin header or OPTIONS), a route Flask would answer itself
(404, 405), and a view that is not a `convert_to_flask_response`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from flask import Response
from moto.core.utils import convert_to_flask_response
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import BackendRequest, DomainDispatcherApplication
from moto.settings import DISABLE_GLOBAL_CORS
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

_ACL_ORIGIN = "Access-Control-Allow-Origin"
_OWN_PATHS = ("/moto-api", "/favicon.ico", "/latest/meta-data/", "/latest/api/")


class MotoDispatch:
    """A WSGI app equivalent to `fallback` (moto's DomainDispatcherApplication) for every request."""

    def __init__(self, fallback: DomainDispatcherApplication):
        self.fallback = fallback
        self._backends: dict[str, str | None] = {}  # inferred host -> backend name
        self.fast_requests = 0  # how many requests took the direct path (tests read it)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        callback = self._callback(environ)
        if callback is None:
            return self.fallback(environ, start_response)
        self.fast_requests += 1
        request = BackendRequest(environ)
        try:
            recorder._record_request(request)
            try:
                result = callback(request, request.raw_url, dict(request.headers))
            except ClientError as exc:
                result = 400, {}, exc.response["Error"]["Message"]
            if len(result) == 3:
                status, headers, content = result
            else:
                status, headers, content = 200, {}, result
            response = Response(response=content, status=status, headers=headers)
            if request.method == "HEAD" and "content-length" in headers:
                response.headers["Content-Length"] = headers["content-length"]
        except HTTPException as exc:
            response = Response.force_type(exc, environ)
        if not DISABLE_GLOBAL_CORS and not response.headers.get(_ACL_ORIGIN):
            response.headers.add(_ACL_ORIGIN, "*")
        return response(environ, start_response)

    def _callback(self, environ: dict[str, Any]) -> Callable | None:
        """The backend handler moto's Flask app would call for this request, or None to let moto dispatch it."""
        path = environ.get("PATH_INFO", "")
        if path.startswith(_OWN_PATHS) or environ.get("REQUEST_METHOD") == "OPTIONS" or "HTTP_ORIGIN" in environ:
            return None
        if "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK" in environ:
            return None
        try:
            app = self._app(environ, path)
            if app is None:
                return None
            adapter = app.url_map.bind_to_environ(
                environ, server_name=app.config["SERVER_NAME"], subdomain=app.url_map.default_subdomain or ""
            )
            endpoint, _ = adapter.match()
        except Exception:  # no route, or a request moto would fail on: let moto answer it its own way
            return None
        view = app.view_functions.get(endpoint)
        return view.callback if isinstance(view, convert_to_flask_response) else None

    def _app(self, environ: dict[str, Any], path: str) -> Any:
        """The Flask app of this request's backend, as `DomainDispatcherApplication.get_application` finds it."""
        fallback = self.fallback
        host = fallback.infer_service_region_host(environ, path) or "s3.us-east-1.amazonaws.com"
        if host in self._backends:
            backend = self._backends[host]
        else:
            backend = self._backends[host] = fallback.get_backend_for_host(host)
        if not backend:
            return None
        app = fallback.app_instances.get(backend)
        if app is None:
            with fallback.lock:
                app = fallback.app_instances.get(backend)
                if app is None:
                    app = fallback.app_instances[backend] = fallback.create_app(backend)
        return app
