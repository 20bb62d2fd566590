"""SES (v2 SendEmail with raw content, so the List-Unsubscribe headers go out as written).

Throttling and transient errors are retried by botocore (standard mode, backoff with jitter) and then
raised, so the record fails and its event source retries it. A permanent refusal of the message is a
`Rejected`, which callers record instead of retrying forever.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

PERMANENT = {"MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException"}


class Rejected(Exception):
    """SES will never send this message as it is."""


class SesMailer:
    def __init__(self, client: Callable[[str], Any]):
        self._client = client

    def send(self, message: EmailMessage) -> str:
        """Send it; returns SES's message id."""
        try:
            answer = self._client("sesv2").send_email(
                FromEmailAddress=str(message["From"]),
                Destination={"ToAddresses": [str(message["To"])]},
                Content={"Raw": {"Data": message.as_bytes()}},
            )
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in PERMANENT:
                raise Rejected(f"{code}: {getattr(exc, 'response', {}).get('Error', {}).get('Message', '')}") from None
            raise
        return answer["MessageId"]
