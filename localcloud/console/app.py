"""Routing for `/_local`: HTML pages, their JSON twins under `/_local/api`, and the guarded reset.

Pages show the newest first; the JSON twins keep the stores' order (newest last), as tools expect.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from localcloud.console import pages, views
from localcloud.model import HttpRequest, HttpResponse

ROOT = pages.ROOT
_READ = ("GET", "HEAD")

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: http: https:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
_COMMON_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
]


class Console:
    """The dev console. `runtime` offers `.deployment`, `.events`, `.logs`, `.outbox()`, `.reset()`
    and `.endpoints()`."""

    def __init__(self, runtime: Any):
        self.runtime = runtime
        self.reset_token = secrets.token_urlsafe(24)

    def handle(self, req: HttpRequest) -> HttpResponse:
        path = unquote(req.path)
        if path != ROOT and not path.startswith(ROOT + "/"):
            return self._error(404, "Not found", f"{path} is not a console page.")
        rest = path[len(ROOT) :].strip("/")
        query = {k: v[-1] for k, v in parse_qs(req.query, keep_blank_values=True).items()}
        if rest == "reset":
            return self._reset(req)
        route = self._route(rest)
        if route is None:
            return self._error(404, "Not found", f"{path} is not a console page.")
        if req.method.upper() not in _READ:
            return self._error(405, "Method not allowed", f"{path} answers GET only.", allow="GET, HEAD")
        response = route(query)
        if req.method.upper() == "HEAD":
            response.body = b""
        return response

    def _route(self, rest: str) -> Callable[[dict[str, str]], HttpResponse] | None:
        head, _, tail = rest.partition("/")
        if head == "api":
            return self._api_route(tail)
        simple = {
            "": self._index,
            "outbox": self._outbox,
            "events": self._events,
            "logs": self._logs_index,
            "resources": self._resources,
        }
        if not tail:
            return simple.get(head)
        if head == "outbox" and "/" not in tail:
            return lambda q: self._message(tail)
        if head == "logs":
            return lambda q: self._function_logs(tail, q)
        return None

    def _api_route(self, rest: str) -> Callable[[dict[str, str]], HttpResponse] | None:
        head, _, tail = rest.partition("/")
        simple = {
            "endpoints": lambda q: _json(self.runtime.endpoints()),
            "outbox": lambda q: _json(self.runtime.outbox()),
            "events": lambda q: _json(views.events(self.runtime.events.entries(), q.get("channel"))),
            "logs": lambda q: _json(views.log_functions(self.runtime.logs, self.runtime.deployment)),
            "resources": lambda q: _json(views.resource_summary(self.runtime.deployment)),
        }
        if not tail:
            return simple.get(head)
        if head == "outbox" and "/" not in tail:
            return lambda q: self._api_message(tail)
        if head == "logs":
            return lambda q: self._api_function_logs(tail, q)
        return None

    def _index(self, query: dict[str, str]) -> HttpResponse:
        deployment = self.runtime.deployment
        counts = {
            "outbox": len(self.runtime.outbox()),
            "events": len(self.runtime.events.entries()),
            "log_lines": sum(f["lines"] for f in views.log_functions(self.runtime.logs, deployment)),
            "resources": len(deployment.resources),
            "functions": len(deployment.functions),
        }
        return _html(pages.index(self.runtime.endpoints(), counts, self.reset_token))

    def _outbox(self, query: dict[str, str]) -> HttpResponse:
        return _html(pages.outbox_list(self.runtime.outbox(), _refresh(query)))

    def _message(self, message_id: str) -> HttpResponse:
        message = views.find_message(self.runtime.outbox(), message_id)
        if message is None:
            return self._error(404, "No such email", f"No email {message_id} in the outbox (was it reset?).")
        return _html(pages.outbox_message(message))

    def _api_message(self, message_id: str) -> HttpResponse:
        message = views.find_message(self.runtime.outbox(), message_id)
        if message is None:
            return _json({"error": f"no email {message_id} in the outbox"}, status=404)
        return _json(message)

    def _events(self, query: dict[str, str]) -> HttpResponse:
        entries = self.runtime.events.entries()
        channel = query.get("channel") or None
        page = pages.events_page(
            views.events(entries, channel), views.channel_counts(entries), channel, _refresh(query)
        )
        return _html(page)

    def _logs_index(self, query: dict[str, str]) -> HttpResponse:
        return _html(pages.logs_index(views.log_functions(self.runtime.logs, self.runtime.deployment)))

    def _known_function(self, function: str) -> bool:
        return function in self.runtime.logs.functions() or any(
            spec.address == function for spec in self.runtime.deployment.functions.values()
        )

    def _api_function_logs(self, function: str, query: dict[str, str]) -> HttpResponse:
        if not self._known_function(function):
            return _json({"error": f"no function {function} is deployed or has logged"}, status=404)
        return _json(views.function_logs(self.runtime.logs, function, query.get("request_id") or None))

    def _function_logs(self, function: str, query: dict[str, str]) -> HttpResponse:
        request_id = query.get("request_id") or None
        if not self._known_function(function):
            return self._error(404, "No such function", f"No function {function} is deployed or has logged.")
        records = views.function_logs(self.runtime.logs, function, request_id)
        return _html(pages.function_logs(function, records, request_id, _refresh(query)))

    def _resources(self, query: dict[str, str]) -> HttpResponse:
        return _html(pages.resources_page(views.resource_summary(self.runtime.deployment)))

    def _reset(self, req: HttpRequest) -> HttpResponse:
        if req.method.upper() != "POST":
            return self._error(
                405, "Method not allowed", "Reset with a POST (the button on the console).", allow="POST"
            )
        refusal = self._reset_refusal(req)
        if refusal:
            return self._error(403, "Forbidden", refusal)
        users = parse_qs(req.body.decode("utf-8", "replace")).get("users", [""])[-1] == "on"
        self.runtime.reset(users=users)
        return HttpResponse(303, [("Location", ROOT), *_COMMON_HEADERS])

    def _reset_refusal(self, req: HttpRequest) -> str | None:
        """Why this POST may not reset, or None. Browsers send Origin (or Referer) on a cross-site form
        post; a name-based Host that is not ours would be a DNS-rebinding page."""
        host = (req.header("Host") or "").strip().lower()
        if host and not self._trusted_host(host):
            return f"Reset refused: host {host} is not this machine."
        source = req.header("Origin") or req.header("Referer")
        if source and source != "null" and host:
            if urlsplit(source).netloc.lower() == host:
                return None
            return "Reset refused: the request came from another site."
        form = parse_qs(req.body.decode("utf-8", "replace"))
        if secrets.compare_digest(form.get("token", [""])[-1], self.reset_token):
            return None
        return "Reset refused: post the console's reset form (missing or wrong token)."

    def _trusted_host(self, host: str) -> bool:
        name = urlsplit(f"//{host}").hostname or ""
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            pass
        known = [self.runtime.deployment.aws_endpoint, self._console_url()]
        return any(name == (urlsplit(url).hostname or "") for url in known if url)

    def _console_url(self) -> str:
        try:
            endpoints = self.runtime.endpoints()
        except Exception:  # an unknown console URL only narrows the trusted hosts
            return ""
        for key in ("console", "console_url", "consoleUrl"):
            if isinstance(endpoints.get(key), str):
                return endpoints[key]
        return ""

    def _error(self, status: int, title: str, detail: str, *, allow: str | None = None) -> HttpResponse:
        response = _html(pages.error_page(status, title, detail), status=status)
        if allow:
            response.headers.append(("Allow", allow))
        return response


def _refresh(query: dict[str, str]) -> int | None:
    value = query.get("refresh", "")
    return int(value) if value.isdigit() and 0 < int(value) <= 3600 else None


def _html(page: str, status: int = 200) -> HttpResponse:
    body = page.encode("utf-8")
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", _CSP),
        ("X-Frame-Options", "SAMEORIGIN"),
        *_COMMON_HEADERS,
    ]
    return HttpResponse(status, headers, body)


def _json(value: Any, status: int = 200) -> HttpResponse:
    body = views.to_json(value, indent=2).encode("utf-8")
    headers = [("Content-Type", "application/json"), *_COMMON_HEADERS]
    return HttpResponse(status, headers, body)
