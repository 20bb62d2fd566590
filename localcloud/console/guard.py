"""Which POSTs the console obeys: reset, confirming or disabling a user, signing in for Swagger UI.

A browser sends Origin (or Referer) on a cross-site form post, so a POST is accepted when that names
this host, or when it carries the console's form token (tools, or browsers that strip both headers).
A name-based Host that is not this machine is refused first: that is a DNS-rebinding page.
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from localcloud.model import HttpRequest


class PostGuard:
    def __init__(self, known_urls: Callable[[], list[str]]):
        self.token = secrets.token_urlsafe(24)
        self._known_urls = known_urls

    def refusal(self, req: HttpRequest, action: str) -> str | None:
        """Why this POST may not do `action` ("Reset"), or None when it may."""
        host = (req.header("Host") or "").strip().lower()
        if host and not self.trusted_host(host):
            return f"{action} refused: host {host} is not this machine."
        source = req.header("Origin") or req.header("Referer")
        if source and source != "null" and host:
            if urlsplit(source).netloc.lower() == host:
                return None
            return f"{action} refused: the request came from another site."
        form = parse_qs(req.body.decode("utf-8", "replace"))
        if secrets.compare_digest(form.get("token", [""])[-1], self.token):
            return None
        return f"{action} refused: post the console's form (missing or wrong token)."

    def trusted_host(self, host: str) -> bool:
        """localhost names, IP literals, and the host names of localcloud's own URLs."""
        name = urlsplit(f"//{host}").hostname or ""
        if name == "localhost" or name.endswith(".localhost"):
            return True
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            pass
        return any(name == (urlsplit(url).hostname or "") for url in self._known_urls() if url)
