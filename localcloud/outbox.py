"""The SES outbox: every email moto's SES accepted (v1 and v2), read in-process for the console and the CLI.

moto keeps sent mail in `ses_backends[account][region].sent_messages` (SESv2 stores into the same v1
backend) without a send time and, for a simple email, with only one body: the HTML part when there was
one, else the text part, so the text part of a two-part email was lost. We stamp messages as moto appends
them (see `watch_outbox`), and while moto's SendEmail handlers run we hold both parts of the request on
the thread so the stamp keeps them too. A message stored without them (sent before we watched) falls
back to telling HTML from text by its markup.

Each email also gets `headers` and `eml`, its source: a raw email's own, or for a simple or templated
email the MIME message SES would build from its parts (`eml_reconstructed`).
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import threading
import time
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses
from typing import Any

from moto.ses.models import RawMessage, TemplateMessage, ses_backends
from moto.ses.template import parse_template

_SENT_AT = "_localcloud_sent_at"
_PARTS = "_localcloud_parts"
_request_parts = threading.local()
_patched = False
_HTML_MARKUP = re.compile(r"</[a-z][a-z0-9]*\s*>|<(?:!doctype|br|hr|img|meta)\b", re.IGNORECASE)


class _StampedList(list):
    """moto's `sent_messages` list, recording when each message was appended."""

    def append(self, message: Any) -> None:
        _stamp(message)
        super().append(message)


def _stamp(message: Any, when: float | None = None) -> None:
    if getattr(message, _SENT_AT, None) is None:
        setattr(message, _SENT_AT, time.time() if when is None else when)
    parts = getattr(_request_parts, "value", None)
    if parts is not None and getattr(message, _PARTS, None) is None:
        setattr(message, _PARTS, parts)


def _keep_both_parts() -> None:
    """Hold the text and HTML parts of each SendEmail request (v1 query, v2 JSON) while moto stores it."""
    global _patched
    if _patched:
        return
    from moto.ses.responses import EmailResponse
    from moto.sesv2.responses import SESV2Response

    def holding(original, parts_of):
        def send_email(self):
            try:
                _request_parts.value = parts_of(self)
            except (ValueError, AttributeError, TypeError):  # moto reports the malformed request itself
                _request_parts.value = None
            try:
                return original(self)
            finally:
                _request_parts.value = None

        return send_email

    def v1_parts(response: Any) -> dict:
        return {
            "text": response._get_param("Message.Body.Text.Data"),
            "html": response._get_param("Message.Body.Html.Data"),
        }

    def v2_parts(response: Any) -> dict:
        body = ((json.loads(response.body).get("Content") or {}).get("Simple") or {}).get("Body") or {}
        return {"text": (body.get("Text") or {}).get("Data"), "html": (body.get("Html") or {}).get("Data")}

    EmailResponse.send_email = holding(EmailResponse.send_email, v1_parts)
    SESV2Response.send_email = holding(SESV2Response.send_email, v2_parts)
    _patched = True


def _backend(account_id: str, region: str) -> Any:
    return ses_backends[account_id][region]


def watch_outbox(account_id: str, region: str) -> None:
    """Start stamping sent messages with their send time. Call at startup and after a moto reset;
    messages sent while unwatched get the time they were first seen."""
    _keep_both_parts()
    backend = _backend(account_id, region)
    current = backend.sent_messages
    if isinstance(current, _StampedList):
        return
    now = time.time()
    for message in current:
        _stamp(message, now)
    stamped = _StampedList(current)
    backend.sent_messages = stamped
    for message in current[len(stamped) :]:  # appended to the old list while we swapped
        stamped.append(message)


def read_outbox(account_id: str, region: str) -> list[dict]:
    """Every email SES accepted in this account and region, newest last."""
    watch_outbox(account_id, region)
    backend = _backend(account_id, region)
    emails: list[dict] = []
    for message in list(backend.sent_messages):
        emails.extend(_with_source(entry) for entry in _describe(message, backend))
    return emails


def clear_outbox(account_id: str, region: str) -> None:
    """Forget every sent email (and the send quota count), keeping identities and templates."""
    backend = _backend(account_id, region)
    backend.sent_messages.clear()
    backend.sent_message_count = 0


def _describe(message: Any, backend: Any) -> list[dict]:
    sent_at = getattr(message, _SENT_AT, None) or time.time()
    if isinstance(message, RawMessage):
        return [_raw(message, sent_at)]
    if isinstance(message, TemplateMessage):
        if isinstance(message.destinations, list):
            return _bulk_templated(message, backend, sent_at)
        return [_templated(message.id, message, message.destinations, message.template_data, backend, sent_at)]
    return [_simple(message, sent_at)]


def _base(message_id: str, sent_at: float, source: str | None, kind: str, destinations: dict | None) -> dict:
    destinations = destinations or {}
    return {
        "id": message_id,
        "time": sent_at,
        "source": source or "",
        "to": list(destinations.get("ToAddresses", [])),
        "cc": list(destinations.get("CcAddresses", [])),
        "bcc": list(destinations.get("BccAddresses", [])),
        "subject": "",
        "text": None,
        "html": None,
        "raw": None,
        "kind": kind,
    }


def _simple(message: Any, sent_at: float) -> dict:
    entry = _base(message.id, sent_at, message.source, "simple", message.destinations)
    entry["subject"] = message.subject or ""
    parts = getattr(message, _PARTS, None)
    if parts is not None:
        entry["text"], entry["html"] = parts.get("text"), parts.get("html")
        return entry
    body = message.body or ""
    entry["html" if _HTML_MARKUP.search(body) else "text"] = body
    return entry


def _templated(
    message_id: str, message: Any, destinations: dict, template_data: str | None, backend: Any, sent_at: float
) -> dict:
    entry = _base(message_id, sent_at, message.source, "templated", destinations)
    entry["template"] = {"name": message.template, "data": template_data}
    template = backend.templates.get(message.template)
    if template is None:
        entry["error"] = f"template {message.template!r} no longer exists"
        return entry
    try:
        data = json.loads(template_data or "{}")
        entry["subject"] = parse_template(str(template.get("subject_part") or ""), data)
        entry["text"] = parse_template(str(template.get("text_part") or ""), data) or None
        entry["html"] = parse_template(str(template.get("html_part") or ""), data) or None
    except Exception as exc:  # a bad template or data must not hide the message
        entry["error"] = f"cannot render template {message.template!r}: {type(exc).__name__}: {exc}"
    return entry


def _bulk_templated(message: Any, backend: Any, sent_at: float) -> list[dict]:
    """One bulk send is one email per destination, each with its replacement data over the defaults."""
    defaults = _json_object(message.template_data)
    entries = []
    for index, target in enumerate(message.destinations):
        data = {**defaults, **_json_object(target.get("ReplacementTemplateData"))}
        entries.append(
            _templated(
                f"{message.id}.{index}", message, target.get("Destination", {}), json.dumps(data), backend, sent_at
            )
        )
    return entries


def _json_object(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _raw(message: Any, sent_at: float) -> dict:
    entry = _base(message.id, sent_at, message.source, "raw", None)
    raw = message.raw_data or ""
    entry["raw"] = raw
    try:
        parsed = email.message_from_bytes(raw.encode("utf-8", "surrogateescape"), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        entry["subject"] = str(parsed["subject"] or "")
        entry["to"] = _addresses(parsed, "to")
        entry["cc"] = _addresses(parsed, "cc")
        shown = {address.lower() for _, address in getaddresses(entry["to"] + entry["cc"])}
        entry["bcc"] = [d for d in message.destinations if getaddresses([d])[0][1].lower() not in shown]
        if not entry["source"]:
            entry["source"] = str(parsed["from"] or "")
        entry["text"] = _part(parsed, "plain")
        entry["html"] = _part(parsed, "html")
        entry["attachments"] = [
            {
                "filename": part.get_filename() or "",
                "content_type": part.get_content_type(),
                "size": len(part.get_payload(decode=True) or b""),
            }
            for part in parsed.iter_attachments()
        ]
    except Exception as exc:  # malformed MIME is still shown raw
        entry["to"] = list(message.destinations)
        entry["error"] = f"cannot parse MIME message: {type(exc).__name__}: {exc}"
    return entry


def _addresses(parsed: EmailMessage, header: str) -> list[str]:
    values = [str(v) for v in parsed.get_all(header, [])]
    return [formataddr((name, address)) for name, address in getaddresses(values) if address]


def _part(parsed: EmailMessage, subtype: str) -> str | None:
    body = parsed.get_body(preferencelist=(subtype,))
    if body is None:
        return None
    content = body.get_content()
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _with_source(entry: dict) -> dict:
    """Add `headers` (name, value pairs) and `eml`, the message's source (built as SES would, unless raw)."""
    if entry.get("raw"):
        try:
            parsed = email.message_from_string(entry["raw"], policy=email.policy.default)
            entry["headers"] = [[k, str(v)] for k, v in parsed.items()]
        except Exception:  # the raw text is still shown as it came
            entry["headers"] = []
        entry.update(eml=entry["raw"], eml_reconstructed=False)
        return entry
    built = EmailMessage()
    for name, key in (("From", "source"), ("To", "to"), ("Cc", "cc")):
        value = entry.get(key)
        if value:
            built[name] = ", ".join(value) if isinstance(value, list) else value
    built["Subject"] = entry.get("subject") or ""
    built["Date"] = formatdate(entry["time"], localtime=False)
    built["Message-ID"] = f"<{entry['id']}@email.amazonses.com>"
    text, body_html = entry.get("text"), entry.get("html")
    built.set_content(text if text is not None else "")
    if body_html is not None:
        if text is None:
            built.clear_content()
            built.set_content(body_html, subtype="html")
        else:
            built.add_alternative(body_html, subtype="html")
    entry["headers"] = [[k, str(v)] for k, v in built.items()]
    entry.update(eml=built.as_string(), eml_reconstructed=True)
    return entry
