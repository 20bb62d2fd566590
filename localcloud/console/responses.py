"""The console's HTTP responses: HTML pages under a strict CSP, JSON twins, errors and downloads.

Every page forbids scripts and foreign content (`CSP`); only the Swagger UI page (`docs`) loosens that,
for itself, with its own policy. Downloads of stored objects are attachments under a sandbox CSP, so a
user's HTML object never runs as the console's origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from localcloud.console import pages, views
from localcloud.model import HttpResponse

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data: http: https:; "
    "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'self'"
)
COMMON_HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
]


def html(page: str, status: int = 200, *, csp: str = CSP) -> HttpResponse:
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Content-Security-Policy", csp),
        ("X-Frame-Options", "SAMEORIGIN"),
        *COMMON_HEADERS,
    ]
    return HttpResponse(status, headers, page.encode("utf-8"))


def json_response(value: Any, status: int = 200) -> HttpResponse:
    body = views.to_json(value, indent=2).encode("utf-8")
    return HttpResponse(status, [("Content-Type", "application/json"), *COMMON_HEADERS], body)


def error(status: int, title: str, detail: str, *, allow: str | None = None) -> HttpResponse:
    response = html(pages.error_page(status, title, detail), status=status)
    if allow:
        response.headers.append(("Allow", allow))
    return response


def redirect(location: str) -> HttpResponse:
    return HttpResponse(303, [("Location", location), *COMMON_HEADERS])


def download(body: bytes, filename: str, content_type: str = "application/octet-stream") -> HttpResponse:
    """An attachment the browser saves; never rendered as a console page."""
    safe = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename) or "download"
    headers = [
        ("Content-Type", content_type or "application/octet-stream"),
        ("Content-Disposition", f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(filename, safe='')}"),
        ("Content-Security-Policy", "sandbox; default-src 'none'"),
        *COMMON_HEADERS,
    ]
    return HttpResponse(200, headers, body)
