"""Swagger UI at `/_local/docs`: every API's OpenAPI document, served to call the local API.

The assets come from the pinned `swagger-ui-bundle` package and are served from here (there is no
network, so no CDN). This is the one console page that runs scripts, so it has its own CSP: scripts and
styles from this origin only (Swagger UI sets inline styles), XHR to this origin only, which is where
the local APIs are. The server URL in each document is the API's local base URL on the host the page
was loaded from, so "Try it out" stays same-origin. A sign-in form (a guarded POST) fetches a Cognito ID
token and Swagger UI sends it on every operation that declares an API-key or bearer scheme.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from botocore.exceptions import ClientError
from swagger_ui_bundle import swagger_ui_path

from localcloud.console import specs
from localcloud.console.guard import PostGuard
from localcloud.console.pages import HEADER_STYLE, ROOT, e, nav
from localcloud.console.responses import COMMON_HEADERS, error, html, json_response
from localcloud.model import HttpRequest, HttpResponse

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "swagger-ui.css.map": "application/json",
    "swagger-ui-bundle.js.map": "application/json",
    "swagger-ui-standalone-preset.js.map": "application/json",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
OWN_ASSETS = {"docs.js": "text/javascript; charset=utf-8"}
STATIC = Path(__file__).parent / "static"
_STYLE = HEADER_STYLE + (
    "body{margin:0;background:#fafafa}.signin{font:14px/1.45 system-ui,sans-serif;padding:.6em 1.2em;"
    "background:#eef1f4;border-bottom:1px solid #dde1e6}.signin input{margin:0 .4em}.signin .err{color:#b3261e}"
    ".signin .ok{color:#17692b}"
)


class Docs:
    def __init__(self, runtime: Any, guard: PostGuard):
        self.runtime = runtime
        self.guard = guard

    def handle(self, req: HttpRequest, rest: str, query: dict[str, str], as_json: bool) -> HttpResponse:
        method = req.method.upper()
        if rest == "token" and not as_json:
            if method != "POST":
                return error(405, "Method not allowed", "Sign in with the form on the docs page.", allow="POST")
            return self._sign_in(req)
        if method not in ("GET", "HEAD"):
            return error(405, "Method not allowed", f"{ROOT}/docs answers GET only.", allow="GET, HEAD")
        if as_json:
            return self._api(req, rest)
        if not rest:
            return self._page(req, query.get("api"), "", "")
        head, _, name = rest.partition("/")
        if head == "assets" and (name in ASSETS or name in OWN_ASSETS):
            return _asset(name)
        if head == "specs" and name.endswith(".json"):
            return self._spec(req, name.removesuffix(".json"))
        return error(404, "Not found", f"{ROOT}/docs/{rest} is not a docs page.")

    # documents --------------------------------------------------------------------------------------

    def _specs(self) -> list[specs.ApiSpec]:
        return specs.api_specs(self.runtime.gateway.apis, self.runtime.template)

    def _origin(self, req: HttpRequest) -> str:
        """The page's own origin when it is this machine, so that Try it out is same-origin."""
        host = (req.header("Host") or "").strip()
        return f"http://{host}" if host and self.guard.trusted_host(host.lower()) else self.runtime.http_url

    def _base_url(self, req: HttpRequest, spec: specs.ApiSpec) -> str:
        return f"{self._origin(req)}/{spec.api_id}/{spec.stage or ''}".rstrip("/")

    def _spec(self, req: HttpRequest, api_id: str) -> HttpResponse:
        spec = next((s for s in self._specs() if s.api_id == api_id), None)
        if spec is None:
            return json_response({"error": f"no API {api_id}"}, status=404)
        return json_response(specs.for_swagger_ui(spec, self._base_url(req, spec)))

    def _api(self, req: HttpRequest, rest: str) -> HttpResponse:
        found = self._specs()
        if rest:
            return self._spec(req, rest)
        return json_response(
            [
                {
                    "api": s.address,
                    "api_id": s.api_id,
                    "stage": s.stage,
                    "title": s.title,
                    "source": s.source,
                    "base_url": self._base_url(req, s),
                    "spec_url": f"{ROOT}/docs/specs/{s.api_id}.json",
                }
                for s in found
            ]
        )

    # the page ---------------------------------------------------------------------------------------

    def _page(self, req: HttpRequest, primary: str | None, token: str, note: str) -> HttpResponse:
        found = self._specs()
        urls = [{"name": s.title, "url": f"{ROOT}/docs/specs/{s.api_id}.json"} for s in found]
        chosen = next((s.title for s in found if primary in (s.api_id, s.address)), urls[0]["name"] if urls else "")
        if not urls:
            body = '<p class="signin">No API in this deployment.</p>'
        else:
            sources = " · ".join(f"{e(s.address)} from <code>{e(s.source)}</code>" for s in found)
            body = (
                self._sign_in_form(note)
                + f'<p class="signin">{sources}</p>'
                + f'<div id="swagger-ui" data-urls="{e(json.dumps(urls))}" data-primary="{e(chosen)}" '
                f'data-token="{e(token)}"></div>'
                + "".join(
                    f'<script src="{ROOT}/docs/assets/{name}"></script>'
                    for name in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "docs.js")
                )
            )
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>API docs · localcloud</title>'
            f'<link rel="stylesheet" href="{ROOT}/docs/assets/swagger-ui.css"><style>{_STYLE}</style></head>'
            f"<body>{nav('/docs')}{body}</body></html>"
        )
        return html(page, csp=CSP)

    def _sign_in_form(self, note: str) -> str:
        return (
            f'<form class="signin" method="post" action="{ROOT}/docs/token">'
            "Sign in to send a Cognito ID token with every call:"
            '<input name="username" placeholder="username or email" autocomplete="username">'
            '<input name="password" type="password" placeholder="password" autocomplete="current-password">'
            f'<input type="hidden" name="token" value="{e(self.guard.token)}">'
            f"<button>Get ID token</button> {note}</form>"
        )

    def _sign_in(self, req: HttpRequest) -> HttpResponse:
        refusal = self.guard.refusal(req, "Sign-in")
        if refusal:
            return error(403, "Forbidden", refusal)
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        username, password = form.get("username", ""), form.get("password", "")
        client = self._app_client()
        if client is None:
            return self._page(req, form.get("api"), "", '<span class="err">No user pool client to sign in with.</span>')
        try:
            result = self.runtime.aws("cognito-idp").initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        except ClientError as exc:
            message = exc.response.get("Error", {}).get("Message") or str(exc)
            return self._page(req, form.get("api"), "", f'<span class="err">{e(message)}</span>')
        token = (result.get("AuthenticationResult") or {}).get("IdToken") or ""
        if not token:
            challenge = result.get("ChallengeName") or "a challenge"
            return self._page(req, form.get("api"), "", f'<span class="err">Cognito asks for {e(challenge)}.</span>')
        return self._page(req, form.get("api"), token, f'<span class="ok">Signed in as {e(username)}.</span>')

    def _app_client(self) -> str | None:
        found = self.runtime.deployment.of_type("AWS::Cognito::UserPoolClient")
        return found[0].ref if found else None


def _asset(name: str) -> HttpResponse:
    if name in OWN_ASSETS:
        path, content_type = STATIC / name, OWN_ASSETS[name]
    else:
        path, content_type = Path(swagger_ui_path) / name, ASSETS[name]
    headers = [("Content-Type", content_type), *COMMON_HEADERS]
    headers = [(k, "max-age=3600" if k == "Cache-Control" else v) for k, v in headers]
    return HttpResponse(200, headers, path.read_bytes())
