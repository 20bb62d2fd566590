"""HTML of the outbox, laid out as Mailpit does: a searchable list, and per email the rendered HTML
(in an empty sandbox: no scripts, no origin, no requests out), the text part, the HTML source, the
headers and the whole source, one click apart. Every part is user content and escaped."""

from __future__ import annotations

from typing import Any

from localcloud.console import views
from localcloud.console.pages import e, href, layout, link, pre, refresh_links, table, when

VIEWS = (("message", "Message"), ("html-source", "HTML source"), ("headers", "Headers"), ("source", "Source"))


def _addresses(values: Any) -> str:
    return e(", ".join(values)) if isinstance(values, list) else e(values)


def outbox_list(messages: list[dict], total: int, search: str, refresh: int | None) -> str:
    rows = [
        [
            when(m.get("time")),
            e(m.get("source")),
            _addresses((m.get("to") or []) + (m.get("cc") or []) + (m.get("bcc") or [])),
            link(href("outbox", m.get("id", "")), m.get("subject") or "(no subject)"),
            e(m.get("kind")),
        ]
        for m in reversed(messages)
    ]
    form = (
        f'<form method="get" action="{e(href("outbox"))}"><input name="q" value="{e(search)}" size="48" '
        'placeholder="words, or from:… to:… subject:… body:…"> <button>Search</button>'
        + (f" {link(href('outbox'), 'clear')}" if search else "")
        + "</form>"
    )
    shown = f"{len(messages)} of {total}" if search else str(total)
    body = (
        form
        + refresh_links(lambda r: href("outbox", q=search, refresh=r), refresh)
        + table(
            ["time", "from", "to", "subject", "kind"], rows, "No email matches." if search else "No email sent yet."
        )
        + f'<p class="muted">{link(href("api", "outbox", q=search), "JSON")}</p>'
    )
    return layout(f"Outbox ({shown})", body, section="/outbox", refresh=refresh)


def _summary(message: dict) -> str:
    fields = [
        ("From", e(message.get("source"))),
        ("To", _addresses(message.get("to") or [])),
        ("Cc", _addresses(message.get("cc") or [])),
        ("Bcc", _addresses(message.get("bcc") or [])),
        ("Subject", e(message.get("subject"))),
        ("Sent", when(message.get("time"))),
        ("Kind", e(message.get("kind"))),
        ("Message id", f"<code>{e(message.get('id'))}</code>"),
    ]
    if message.get("template"):
        template = message["template"]
        fields.append(("Template", f"<code>{e(template.get('name'))}</code> {pre(views.pretty(template.get('data')))}"))
    body = table(None, [[f"<b>{e(k)}</b>", v] for k, v in fields])
    if message.get("error"):
        body += f'<p class="err">{e(message["error"])}</p>'
    return body


def _message_view(message: dict) -> str:
    body = ""
    if message.get("html") is not None:
        # srcdoc is escaped as an attribute; the empty sandbox gives the email no scripts and no origin.
        body += (
            "<h2>HTML</h2>"
            '<iframe sandbox="" referrerpolicy="no-referrer" title="email body" '
            f'srcdoc="{e(message["html"])}"></iframe>'
        )
    if message.get("text") is not None:
        body += "<h2>Text</h2>" + pre(message["text"])
    if message.get("html") is None and message.get("text") is None:
        body += '<p class="muted">This email has no body.</p>'
    if message.get("attachments"):
        rows = [[e(a.get("filename")), e(a.get("content_type")), e(a.get("size"))] for a in message["attachments"]]
        body += "<h2>Attachments</h2>" + table(["file", "type", "bytes"], rows)
    return body


def _source_view(message: dict) -> str:
    note = (
        '<p class="muted">Built from the parts as SES would send it (SES, not the sender, makes the MIME '
        "message of a simple or templated email).</p>"
        if message.get("eml_reconstructed")
        else ""
    )
    return "<h2>Source</h2>" + note + pre(message.get("eml") or message.get("raw") or "")


def outbox_message(message: dict, view: str) -> str:
    message_id = message.get("id", "")
    view = view if view in dict(VIEWS) else "message"
    tabs = " ".join(link(href("outbox", message_id, view=v), label, here=v == view) for v, label in VIEWS)
    tabs += " " + link(href("outbox", message_id, "eml"), "Download .eml")
    if view == "html-source":
        shown = pre(message["html"]) if message.get("html") is not None else '<p class="muted">No HTML part.</p>'
    elif view == "headers":
        shown = table(["header", "value"], [[e(k), f"<code>{e(v)}</code>"] for k, v in message.get("headers") or []])
    elif view == "source":
        shown = _source_view(message)
    else:
        shown = _message_view(message)
    body = (
        _summary(message)
        + f'<p class="chips">{tabs}</p>'
        + shown
        + f"<p>{link(href('outbox'), '← outbox')} · {link(href('api', 'outbox', message_id), 'JSON')}</p>"
    )
    return layout(message.get("subject") or "(no subject)", body, section="/outbox")
