"""The emails a Cognito user pool sends, rendered from the pool's own configuration.

Pure functions of the pool's settings (as CreateUserPool / DescribeUserPool spell them), so the rules
are tested without a server:

- the sender is `EmailConfiguration.From`, else the address of the SES identity in `SourceArn`, else
  Cognito's default `no-reply@verificationemail.com`; `ReplyToEmailAddress` becomes `Reply-To`;
- verification codes (sign-up, resend, attribute verification, forgot password: Cognito uses one
  template for all of them) come from `VerificationMessageTemplate`, else the older
  `EmailVerificationSubject` / `EmailVerificationMessage`, else Cognito's defaults;
- invitations come from `AdminCreateUserConfig.InviteMessageTemplate`, else Cognito's defaults;
- `{####}` is the code (or the temporary password) and `{username}` the user's name.

With `DefaultEmailOption: CONFIRM_WITH_LINK` Cognito mails a link to its hosted confirmation page, which
needs a Cognito domain localcloud does not serve: the link text is kept and the code follows it, so the
same `ConfirmSignUp` call completes the flow. Forgot-password messages always carry a code, as on AWS.
Templates may hold HTML (Cognito allows it); such a body is sent as HTML with a plain-text alternative.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from html.parser import HTMLParser
from typing import Any

DEFAULT_SENDER = "no-reply@verificationemail.com"
DEFAULT_VERIFICATION_SUBJECT = "Your verification code"
DEFAULT_VERIFICATION_MESSAGE = "Your verification code is {####}."
DEFAULT_LINK_SUBJECT = "Your verification link"
DEFAULT_LINK_MESSAGE = "Please click the link below to verify your email address. {##Verify Email##}"
DEFAULT_INVITE_SUBJECT = "Your temporary password"
DEFAULT_INVITE_MESSAGE = "Your username is {username} and temporary password is {####}."
_LINK = re.compile(r"\{##(.*?)##\}", re.DOTALL)
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>")
_BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass(frozen=True)
class Email:
    """One email as Cognito would send it."""

    sender: str
    to: str
    subject: str
    body: str
    reply_to: str | None = None

    @property
    def is_html(self) -> bool:
        return bool(_MARKUP.search(self.body))

    def mime(self, *, sent_at: float) -> str:
        """The message as MIME text: plain text, or HTML with a plain-text alternative."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to
        if self.reply_to:
            message["Reply-To"] = self.reply_to
        message["Subject"] = self.subject
        message["Date"] = formatdate(sent_at, usegmt=True)
        message["Message-ID"] = make_msgid(domain=parseaddr(self.sender)[1].rpartition("@")[2] or None)
        if self.is_html:
            message.set_content(text_of(self.body))
            message.add_alternative(self.body, subtype="html")
        else:
            message.set_content(self.body)
        return message.as_string()


def sender(pool: dict[str, Any]) -> tuple[str, str | None]:
    """(From, Reply-To) of the pool's emails."""
    config = pool.get("EmailConfiguration") or {}
    source = config.get("From")
    if not source:
        identity = str(config.get("SourceArn") or "").rpartition(":identity/")[2]
        source = identity if "@" in identity else DEFAULT_SENDER
    return source, config.get("ReplyToEmailAddress") or None


def verification(pool: dict[str, Any], *, code: str, username: str, allow_link: bool = True) -> tuple[str, str]:
    """(subject, body) of a verification-code email; `allow_link=False` for forgot-password codes."""
    template = pool.get("VerificationMessageTemplate") or {}
    if allow_link and template.get("DefaultEmailOption") == "CONFIRM_WITH_LINK":
        subject = template.get("EmailSubjectByLink") or DEFAULT_LINK_SUBJECT
        body = template.get("EmailMessageByLink") or DEFAULT_LINK_MESSAGE
        body = _LINK.sub(lambda link: f"{link.group(1)} (verification code: {code})", body)
    else:
        subject = template.get("EmailSubject") or pool.get("EmailVerificationSubject") or DEFAULT_VERIFICATION_SUBJECT
        body = template.get("EmailMessage") or pool.get("EmailVerificationMessage") or DEFAULT_VERIFICATION_MESSAGE
    return fill(subject, code, username), fill(body, code, username)


def invitation(pool: dict[str, Any], *, password: str, username: str) -> tuple[str, str]:
    """(subject, body) of the welcome email AdminCreateUser sends with the temporary password."""
    template = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    subject = template.get("EmailSubject") or DEFAULT_INVITE_SUBJECT
    body = template.get("EmailMessage") or DEFAULT_INVITE_MESSAGE
    return fill(subject, password, username), fill(body, password, username)


def fill(template: str, code: str, username: str) -> str:
    """Cognito's placeholders: `{####}` is the code or temporary password, `{username}` the user."""
    return template.replace("{####}", code).replace("{username}", username)


def mask_email(address: str) -> str:
    """An address as CodeDeliveryDetails shows it: `a***@e***`."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(number: str) -> str:
    """A phone number as CodeDeliveryDetails shows it: `+*******1234`."""
    return f"+{'*' * max(len(number) - 5, 0)}{number[-4:]}"


def text_of(html: str) -> str:
    """The readable text of an HTML body, for the plain-text part."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line) + "\n"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)
