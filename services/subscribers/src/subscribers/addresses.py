"""Email addresses: syntax checked and normalized, so case and Unicode variants are one subscriber.

email-validator (AddressesLayer) is imported on the first call, not at cold start: it costs about 70 ms
and only subscribing needs it. No DNS lookups: deliverability is what the welcome email finds out.
"""

from __future__ import annotations

from common.errors import BadRequest

MAX_LENGTH = 254  # RFC 5321's path limit less the angle brackets


def canonical(raw: object) -> str:
    """The one spelling of an address: the domain in lowercase IDNA-decoded form, the local part NFC
    and lowercased (every mailbox provider in use treats it case-insensitively). 400 when invalid."""
    if not isinstance(raw, str) or not raw.strip():
        raise BadRequest("email must be an email address", code="InvalidEmail")
    if len(raw) > MAX_LENGTH:
        raise BadRequest(f"email must be at most {MAX_LENGTH} characters", code="InvalidEmail")
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadRequest(f"email is not a valid address: {exc}", code="InvalidEmail") from None
    return f"{checked.local_part.lower()}@{checked.domain.lower()}"
