"""The static assets, named by their content so they can be cached for a year and never invalidated.

`web/` at the repository root holds the templates and the static files; the package reaches it through the
relative symlink `blog/site/web`, which `sam build` copies as a real folder into the function's package and
the local runtime reads in place. Each asset's key is `assets/<stem>.<hash><suffix>`, the hash being the first
12 hex digits of its SHA-256: any change to a file gives it a new name, so a page never meets a stale copy,
and an unchanged file keeps its name and bytes, so it is never rewritten. Files are read once per process.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from blog.site.pages import CSS, IMMUTABLE, JAVASCRIPT, SVG, Page

WEB = Path(__file__).parent / "web"
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
_TYPES = {".css": CSS, ".js": JAVASCRIPT, ".svg": SVG}
NAMES = ("site.css", "beacon.js", "icon.svg")


@dataclass(frozen=True)
class Assets:
    """The asset pages, and the root-relative URL of each by its source name (`hrefs["site.css"]`)."""

    pages: tuple[Page, ...]
    hrefs: dict[str, str]


def hashed_key(name: str, body: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"assets/{stem}.{hashlib.sha256(body).hexdigest()[:12]}{dot}{suffix}"


@functools.cache
def assets() -> Assets:
    pages, hrefs = [], {}
    for name in NAMES:
        body = (STATIC / name).read_bytes()
        page = Page(hashed_key(name, body), body, _TYPES[Path(name).suffix], IMMUTABLE)
        pages.append(page)
        hrefs[name] = "/" + page.path
    return Assets(tuple(pages), hrefs)
