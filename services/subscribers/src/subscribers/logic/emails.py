"""The emails and pages, from string templates under templates/ (no template engine on the cold path).

Every email has a text and an HTML part, the unsubscribe link, and RFC 8058's two headers, which Gmail
and Yahoo require of bulk senders: `List-Unsubscribe: <https URL>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. Values are HTML-escaped in the HTML part.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formataddr
from functools import cache
from pathlib import Path
from string import Template
from typing import NamedTuple

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class Brand(NamedTuple):
    site: str
    site_url: str
    sender: str


@cache
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def _render(name: str, values: dict[str, str]) -> tuple[str, str]:
    escaped = {key: html.escape(value) for key, value in values.items()}
    return template(f"{name}.txt").substitute(values), template(f"{name}.html").substitute(escaped)


def _message(brand: Brand, to: str, subject: str, unsubscribe_url: str, parts: tuple[str, str]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((brand.site, brand.sender))
    message["To"] = to
    message["Subject"] = subject
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text, body = parts
    message.set_content(text)
    message.add_alternative(body, subtype="html")
    return message


def welcome(brand: Brand, to: str, name: str | None, unsubscribe_url: str) -> EmailMessage:
    values = {
        "site": brand.site,
        "site_url": brand.site_url,
        "greeting": f" {name}" if name else "",
        "unsubscribe_url": unsubscribe_url,
    }
    return _message(brand, to, f"Welcome to {brand.site}", unsubscribe_url, _render("welcome", values))


def new_post(brand: Brand, to: str, post: dict, unsubscribe_url: str) -> EmailMessage:
    values = {
        "site": brand.site,
        "title": str(post.get("title") or post["slug"]),
        "excerpt": str(post.get("excerpt") or ""),
        "post_url": f"{brand.site_url.rstrip('/')}/posts/{post['slug']}",
        "unsubscribe_url": unsubscribe_url,
    }
    return _message(brand, to, values["title"], unsubscribe_url, _render("post", values))


def page(title: str, content_html: str) -> str:
    """A small HTML page; `content_html` is markup the caller built from escaped values."""
    return template("page.html").substitute(title=html.escape(title), content=content_html)
