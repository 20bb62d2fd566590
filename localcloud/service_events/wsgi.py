"""The AWS endpoint's half of the service events: a WSGI layer around moto that reads the answer of
each call in `table.BUILDERS` whose service is in `ANSWERS_READ`, and hands a successful one to the
emitter. Every other request passes through untouched, its answer unread (S3 streams stay streams).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from localcloud.front.wsgi_util import read_body
from localcloud.service_events.emitter import Emitter
from localcloud.service_events.model import Call
from localcloud.service_events.table import ANSWERS_READ

_SCOPE = re.compile(r"Credential=[^/,]+/\d{8}/([^/,]+)/([^/,]+)/aws4_request")


class ServiceEventsApp:
    def __init__(self, app: Callable, emitter: Emitter, *, account: str):
        self.app = app
        self.emitter = emitter
        self.account = account

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        watched = self._watched(environ)
        if watched is None:
            return self.app(environ, start_response)
        service, action, region, params = watched
        status: list[str] = []

        def capture(line: str, headers: list, exc_info: Any = None) -> Callable:
            status.append(line)
            return start_response(line, headers, exc_info) if exc_info else start_response(line, headers)

        answer = self.app(environ, capture)
        try:
            body = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        if status and status[0].startswith("2"):
            self.emitter.emit(Call(service, action, self.account, region, params, body))
        return [body]

    def _watched(self, environ: dict) -> tuple[str, str, str, dict[str, str]] | None:
        """(service, action, region, params) of a query-protocol call the table names, else None."""
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION") or environ.get("QUERY_STRING") or "")
        if scope is None or scope.group(2) not in ANSWERS_READ:
            return None
        params = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        if environ.get("REQUEST_METHOD") == "POST":
            params.update(parse_qsl(read_body(environ).decode("utf-8", "replace")))
        action = params.get("Action", "")
        if not self.emitter.wants(scope.group(2), action):
            return None
        return scope.group(2), action, scope.group(1), params
