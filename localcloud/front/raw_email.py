"""The summary of a raw email the event log keeps (from, to, subject, the text and HTML bodies), cheaply.

Parsing a whole message with `email.policy.default` builds a structured header object for every header of
every part, about 5 ms for a newsletter's two-part email: in a fan-out it was a fifth of the local AWS
endpoint's CPU. Only the top-level From, To and Subject need that policy (encoded words, address lists),
so they are parsed alone; the bodies are found in a `compat32` parse, the way `EmailMessage.get_body` and
`get_content` find and decode them. A message whose structure that does not cover (multipart/related,
where get_body follows the `start` parameter) takes the full parse, so the summary is the same either way
(tests/localcloud/test_front_raw_email.py compares the two).
"""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Any

_HEADERS = BytesHeaderParser(policy=email.policy.default)


class _Unsupported(Exception):
    """A structure the quick path does not mirror; the full parse decides."""


def summary(raw: bytes) -> dict[str, Any]:
    try:
        return _quick(raw)
    except _Unsupported:
        return full_summary(raw)


def full_summary(raw: bytes) -> dict[str, Any]:
    """With `email.policy.default` throughout (the reference the quick path must agree with)."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    message = _heads(parsed)
    for kind, name in (("plain", "text"), ("html", "html")):
        part = parsed.get_body(preferencelist=(kind,))
        if part is not None:
            message[name] = part.get_content()
    return message


def _heads(parsed: Any) -> dict[str, Any]:
    return {
        "from": str(parsed.get("From", "")),
        "to": [a.strip() for a in str(parsed.get("To", "")).split(",") if a.strip()],
        "subject": str(parsed.get("Subject", "")),
    }


def _quick(raw: bytes) -> dict[str, Any]:
    parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
    message = _heads(_HEADERS.parsebytes(raw))
    for kind, name in (("plain", "text"), ("html", "html")):
        part = _first_body(parsed, parsed, kind)
        if part is not None:
            message[name] = _text(part)
    return message


def _first_body(top: Message, part: Message, subtype: str) -> Message | None:
    """EmailMessage.get_body with one preferred subtype: the first text/<subtype> part that is not an
    attachment, depth first through multiparts other than related."""
    if part.get_content_disposition() == "attachment":
        return None
    maintype, found = part.get_content_type().split("/")
    if maintype == "text":
        return part if found == subtype else None
    if maintype != "multipart" or not top.is_multipart():
        return None
    if found == "related" or not part.is_multipart():
        raise _Unsupported
    for sub in part.get_payload():
        if (body := _first_body(top, sub, subtype)) is not None:
            return body
    return None


def _text(part: Message) -> str:
    """contentmanager.get_text_content: the decoded payload in its charset, undecodable bytes replaced."""
    content = part.get_payload(decode=True)
    charset = part.get_param("charset", "ASCII")
    if not isinstance(charset, str):
        raise _Unsupported  # an RFC 2231 charset the full parse reads its own way
    try:
        return content.decode(charset, errors="replace")
    except LookupError as exc:
        raise _Unsupported from exc
