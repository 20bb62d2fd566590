"""Subscriber ids and unsubscribe tokens, both HMACs under one secret key that is never rotated.

A subscriber's id is a keyed hash of its canonical address: subscribing twice finds the same item, and the
id reveals nothing about the address. An unsubscribe token is `<id>.<mac>`: unguessable without the key,
checked in constant time, and valid forever, as a link in an old email must be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{22}")


class Tokens:
    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the token key must be at least 16 bytes")
        self._key = key

    def _mac(self, purpose: str, value: str) -> bytes:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()

    def subscriber_id(self, address: str) -> str:
        return self._mac("subscriber", address)[:16].hex()

    def unsubscribe_token(self, subscriber_id: str) -> str:
        mac = base64.urlsafe_b64encode(self._mac("unsubscribe", subscriber_id)[:16]).decode().rstrip("=")
        return f"{subscriber_id}.{mac}"

    def subscriber_of(self, token: object) -> str | None:
        """The subscriber id a token was made for, or None when it is not one of ours."""
        if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
            return None
        subscriber_id = token.split(".", 1)[0]
        return subscriber_id if hmac.compare_digest(self.unsubscribe_token(subscriber_id), token) else None
