"""Opaque, tamper-evident pagination cursors.

A cursor carries the last key a page returned and is bound to the query it came from (the caller and
the filters): `base64url(json) + "." + base64url(hmac)`. Anything altered, truncated, replayed against
another query or signed with another key is rejected with a 400, never passed to DynamoDB.

hmac and hashlib (OpenSSL, 2 ms) are imported on the first cursor, not at cold start: a write function
builds a codec it never uses, and a first page without a next one needs none.
"""

from __future__ import annotations

import base64
import json

from common.errors import BadRequest

_MAC_BYTES = 16
_MAX_CURSOR_CHARS = 2048


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CursorCodec:
    def __init__(self, key: str | bytes):
        if not key:
            raise ValueError("a cursor key is required")
        self._key = key.encode() if isinstance(key, str) else key

    def _mac(self, payload: bytes, scope: str) -> bytes:
        import hashlib
        import hmac

        return hmac.new(self._key, scope.encode() + b"\x00" + payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, position: dict, scope: str) -> str:
        """`position` is the key to resume after; `scope` names the query it belongs to."""
        payload = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload, scope))}"

    def decode(self, cursor: str, scope: str) -> dict:
        import hmac

        invalid = BadRequest("cursor is invalid", code="InvalidCursor")
        if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_CHARS or cursor.count(".") != 1:
            raise invalid
        payload_text, mac_text = cursor.split(".")
        try:
            payload, mac = _unb64(payload_text), _unb64(mac_text)
        except (ValueError, TypeError):
            raise invalid from None
        if not hmac.compare_digest(mac, self._mac(payload, scope)):
            raise invalid
        try:
            position = json.loads(payload)
        except ValueError:
            raise invalid from None
        if not isinstance(position, dict):
            raise invalid
        return position
