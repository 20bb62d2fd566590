"""What the renderer hands back (`Page`) and the HTTP metadata every object in the site bucket carries.

A leaf module: it imports nothing from its siblings, so `render-site` can name the types and headers without
loading Jinja2. The cache rules follow from how the site changes: hashed assets never change under one name
(their name is their content), so browsers and the CDN may keep them for a year; HTML, the feed and the
sitemap change on every publish and are invalidated by path, so the CDN keeps them a few minutes at most and
browsers a minute; previews are per-admin and must never be stored anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
CSS = "text/css; charset=utf-8"
JAVASCRIPT = "text/javascript; charset=utf-8"
SVG = "image/svg+xml"

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60, s-maxage=300"
NO_STORE = "no-store"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""Exactly what the pages need, and nothing else (see the package docstring for each directive's reason)."""


@dataclass(frozen=True)
class Page:
    """One object of the site bucket: its key (no leading slash) and the headers to store it with."""

    path: str
    body: bytes
    content_type: str
    cache_control: str
