"""Routing for `/_local`: HTML pages, their JSON twins under `/_local/api`, and the guarded POSTs.

Pages show the newest first; the JSON twins keep the stores' order (newest last), as tools expect. The
data browser (`data/`) and Swagger UI (`docs`) route their own paths, pages and twins alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote

from localcloud.console import mail_pages, pages, request_pages, views
from localcloud.console.data import DataBrowser
from localcloud.console.docs import Docs
from localcloud.console.edge import EdgePages
from localcloud.console.guard import PostGuard
from localcloud.console.responses import download, error, html, json_response, redirect
from localcloud.console.stepfunctions import StepFunctionsPages
from localcloud.model import HttpRequest, HttpResponse

ROOT = pages.ROOT
_READ = ("GET", "HEAD")


class Console:
    """The dev console. `runtime` offers `.deployment`, `.events`, `.logs`, `.requests`, `.outbox()`,
    `.reset()` and `.endpoints()`; the data browser and the docs also use `.aws(service)`, `.gateway`,
    `.template` and `.http_url`."""

    def __init__(self, runtime: Any):
        self.runtime = runtime
        self.guard = PostGuard(lambda: [runtime.deployment.aws_endpoint, self._console_url()])
        self.reset_token = self.guard.token
        self.data = DataBrowser(runtime, self.guard)
        self.docs = Docs(runtime, self.guard)
        self.edge = EdgePages(runtime, self.guard)
        self.stepfunctions = StepFunctionsPages(runtime)

    def handle(self, req: HttpRequest) -> HttpResponse:
        path = unquote(req.path)
        if path != ROOT and not path.startswith(ROOT + "/"):
            return error(404, "Not found", f"{path} is not a console page.")
        rest = path[len(ROOT) :].strip("/")
        query = {k: v[-1] for k, v in parse_qs(req.query, keep_blank_values=True).items()}
        if rest == "reset":
            return self._reset(req)
        parts = (("data", self.data), ("docs", self.docs), ("edge", self.edge), ("stepfunctions", self.stepfunctions))
        for name, part in parts:
            for base, as_json in ((name, False), (f"api/{name}", True)):
                if rest == base or rest.startswith(base + "/"):
                    return _head_only(req, part.handle(req, rest[len(base) :].strip("/"), query, as_json))
        route = self._route(rest)
        if route is None:
            return error(404, "Not found", f"{path} is not a console page.")
        if req.method.upper() not in _READ:
            return error(405, "Method not allowed", f"{path} answers GET only.", allow="GET, HEAD")
        return _head_only(req, route(query))

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
            "requests": self._requests,
        }
        if not tail:
            return simple.get(head)
        if head == "outbox" and "/" not in tail:
            return lambda q: self._message(tail, q)
        if head == "outbox" and tail.endswith("/eml") and tail.count("/") == 1:
            return lambda q: self._eml(tail.removesuffix("/eml"))
        if head == "logs":
            return lambda q: self._function_logs(tail, q)
        if head == "requests" and "/" not in tail:
            return lambda q: self._request(tail)
        return None

    def _api_route(self, rest: str) -> Callable[[dict[str, str]], HttpResponse] | None:
        head, _, tail = rest.partition("/")
        simple = {
            "endpoints": lambda q: json_response(self.runtime.endpoints()),
            "outbox": lambda q: json_response(views.search_mail(self.runtime.outbox(), q.get("q"))),
            "events": lambda q: json_response(views.events(self.runtime.events.entries(), q.get("channel"))),
            "logs": lambda q: json_response(views.log_functions(self.runtime.logs, self.runtime.deployment)),
            "resources": lambda q: json_response(views.resource_summary(self.runtime.deployment)),
            "eventbridge": lambda q: json_response(self._eventbridge()),
            "requests": lambda q: json_response(
                views.requests(self.runtime.requests.entries(), q.get("api"), q.get("status"))
            ),
        }
        if not tail:
            return simple.get(head)
        if head == "outbox" and "/" not in tail:
            return lambda q: self._api_message(tail)
        if head == "logs":
            return lambda q: self._api_function_logs(tail, q)
        if head == "requests" and "/" not in tail:
            return lambda q: self._api_request(tail)
        return None

    def _index(self, query: dict[str, str]) -> HttpResponse:
        deployment = self.runtime.deployment
        counts = {
            "requests": len(self.runtime.requests.entries()),
            "outbox": len(self.runtime.outbox()),
            "events": len(self.runtime.events.entries()),
            "log_lines": sum(f["lines"] for f in views.log_functions(self.runtime.logs, deployment)),
            "resources": len(deployment.resources),
            "functions": len(deployment.functions),
        }
        return html(pages.index(self.runtime.endpoints(), counts, self.reset_token))

    def _outbox(self, query: dict[str, str]) -> HttpResponse:
        messages, search = self.runtime.outbox(), query.get("q", "")
        found = views.search_mail(messages, search)
        return html(mail_pages.outbox_list(found, len(messages), search, _refresh(query)))

    def _message(self, message_id: str, query: dict[str, str]) -> HttpResponse:
        message = views.find_message(self.runtime.outbox(), message_id)
        if message is None:
            return error(404, "No such email", f"No email {message_id} in the outbox (was it reset?).")
        return html(mail_pages.outbox_message(message, query.get("view", "")))

    def _eml(self, message_id: str) -> HttpResponse:
        message = views.find_message(self.runtime.outbox(), message_id)
        if message is None:
            return error(404, "No such email", f"No email {message_id} in the outbox (was it reset?).")
        return download(
            str(message.get("eml") or "").encode("utf-8", "surrogateescape"), f"{message_id}.eml", "message/rfc822"
        )

    def _api_message(self, message_id: str) -> HttpResponse:
        message = views.find_message(self.runtime.outbox(), message_id)
        if message is None:
            return json_response({"error": f"no email {message_id} in the outbox"}, status=404)
        return json_response(message)

    def _events(self, query: dict[str, str]) -> HttpResponse:
        entries = self.runtime.events.entries()
        channel = query.get("channel") or None
        page = pages.events_page(
            views.events(entries, channel), views.channel_counts(entries), channel, _refresh(query)
        )
        return html(page)

    def _requests(self, query: dict[str, str]) -> HttpResponse:
        entries = self.runtime.requests.entries()
        api, status = query.get("api") or None, query.get("status") or None
        rows = views.requests(entries, api, status)
        return html(request_pages.requests_page(rows, views.request_counts(entries), api, status, _refresh(query)))

    def _request(self, request_id: str) -> HttpResponse:
        exchange = self.runtime.requests.find(request_id)
        if exchange is None:
            return error(404, "No such request", f"No request {request_id} in the log (it keeps the latest only).")
        return html(request_pages.request_page(views.request_detail(exchange, self.runtime.logs)))

    def _api_request(self, request_id: str) -> HttpResponse:
        exchange = self.runtime.requests.find(request_id)
        if exchange is None:
            return json_response({"error": f"no request {request_id} in the log"}, status=404)
        return json_response(views.request_detail(exchange, self.runtime.logs))

    def _logs_index(self, query: dict[str, str]) -> HttpResponse:
        return html(pages.logs_index(views.log_functions(self.runtime.logs, self.runtime.deployment)))

    def _known_function(self, function: str) -> bool:
        return function in self.runtime.logs.functions() or any(
            spec.address == function for spec in self.runtime.deployment.functions.values()
        )

    def _api_function_logs(self, function: str, query: dict[str, str]) -> HttpResponse:
        if not self._known_function(function):
            return json_response({"error": f"no function {function} is deployed or has logged"}, status=404)
        return json_response(views.function_logs(self.runtime.logs, function, query.get("request_id") or None))

    def _function_logs(self, function: str, query: dict[str, str]) -> HttpResponse:
        request_id = query.get("request_id") or None
        if not self._known_function(function):
            return error(404, "No such function", f"No function {function} is deployed or has logged.")
        records = views.function_logs(self.runtime.logs, function, request_id)
        return html(pages.function_logs(function, records, request_id, _refresh(query)))

    def _resources(self, query: dict[str, str]) -> HttpResponse:
        return html(pages.resources_page(views.resource_summary(self.runtime.deployment), self._eventbridge()))

    def _eventbridge(self) -> list[dict]:
        eventbridge = getattr(self.runtime, "eventbridge", None)
        return eventbridge.overview() if eventbridge is not None else []

    def _reset(self, req: HttpRequest) -> HttpResponse:
        if req.method.upper() != "POST":
            return error(405, "Method not allowed", "Reset with a POST (the button on the console).", allow="POST")
        refusal = self.guard.refusal(req, "Reset")
        if refusal:
            return error(403, "Forbidden", refusal)
        users = parse_qs(req.body.decode("utf-8", "replace")).get("users", [""])[-1] == "on"
        self.runtime.reset(users=users)
        return redirect(ROOT)

    def _console_url(self) -> str:
        try:
            endpoints = self.runtime.endpoints()
        except Exception:  # an unknown console URL only narrows the trusted hosts
            return ""
        for key in ("console", "console_url", "consoleUrl"):
            if isinstance(endpoints.get(key), str):
                return endpoints[key]
        return ""


def _head_only(req: HttpRequest, response: HttpResponse) -> HttpResponse:
    if req.method.upper() == "HEAD":
        response.body = b""
    return response


def _refresh(query: dict[str, str]) -> int | None:
    value = query.get("refresh", "")
    return int(value) if value.isdigit() and 0 < int(value) <= 3600 else None
