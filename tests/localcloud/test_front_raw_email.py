"""The event log's quick summary of a raw email equals the one `email.policy.default` gives for every
structure: the subscribers' own emails, plain, HTML only, attachments, nesting, charsets, encodings,
encoded headers, multipart/related (which takes the full parse) and malformed input."""

from __future__ import annotations

from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from localcloud.front import raw_email


def newsletter() -> bytes:
    message = EmailMessage()
    message["From"] = '"My Blog" <no-reply@example.com>'
    message["To"] = "Ada <ada@example.com>, bob@example.com"
    message["Subject"] = "Ünïcode títle, and a rather long subject line that folds over more than one line here"
    message["List-Unsubscribe"] = "<https://blog.example.com/api/subscribers/unsubscribe?token=a.b>"
    message.set_content("New on MyBlog: café\n\nRead it.\n")
    message.add_alternative("<p>New on MyBlog: <b>café</b></p>", subtype="html")
    return message.as_bytes()


def with_attachment() -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "report"
    message.set_content("see attached")
    message.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="r.bin")
    message.add_attachment("an attached text", subtype="plain", filename="notes.txt")
    return message.as_bytes()


def nested() -> bytes:
    outer = MIMEMultipart("mixed")
    outer["From"], outer["To"], outer["Subject"] = "a@example.com", "b@example.com", "=?utf-8?b?w6ljb2xl?="
    inner = MIMEMultipart("alternative")
    inner.attach(MIMEText("latin text é", "plain", "iso-8859-1"))
    inner.attach(MIMEText("<i>html</i>", "html", "utf-8"))
    outer.attach(inner)
    outer.attach(MIMEApplication(b"%PDF", "pdf"))
    return outer.as_bytes()


def related() -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "b@example.com", "inline image"
    message.set_content("<p>picture: <img src='cid:pic'></p>", subtype="html")
    message.add_related(b"\x89PNG", maintype="image", subtype="png", cid="<pic>")
    return message.as_bytes()


SAMPLES = {
    "newsletter": newsletter(),
    "attachments": with_attachment(),
    "nested, latin-1, encoded subject": nested(),
    "multipart/related": related(),
    "plain only": b"From: a@example.com\nTo: b@example.com\nSubject: hi\n\nplain body\n",
    "html only, base64": (
        b"From: a@example.com\nTo: b@example.com\nSubject: hi\nContent-Type: text/html; charset=utf-8\n"
        b"Content-Transfer-Encoding: base64\n\nPGI+aGk8L2I+\n"
    ),
    "an attachment on its own": (
        b"From: a@example.com\nSubject: x\nContent-Type: text/plain\nContent-Disposition: attachment\n\nbody\n"
    ),
    "no headers": b"just some text",
    "undecodable bytes": b"Subject: bytes\nContent-Type: text/plain; charset=utf-8\n\n\xff\xfe caf\xc3\xa9\n",
    "multipart without parts": b"Subject: m\nContent-Type: multipart/alternative; boundary=zz\n\nno parts\n",
    "no To, many recipients": b"From: a@example.com\nTo: x@example.com,  , y@example.com\n\nbody\n",
}


@pytest.mark.parametrize("name", SAMPLES)
def test_the_summary_is_the_full_parse(name):
    raw = SAMPLES[name]
    assert raw_email.summary(raw) == raw_email.full_summary(raw)


def test_the_newsletter_summary_reads_as_sent():
    summary = raw_email.summary(newsletter())
    assert summary["to"] == ["Ada <ada@example.com>", "bob@example.com"]
    assert summary["subject"].startswith("Ünïcode títle") and "\n" not in summary["subject"]
    assert "café" in summary["text"] and "<b>café</b>" in summary["html"]
