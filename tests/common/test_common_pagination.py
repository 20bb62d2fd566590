"""common.pagination: cursors round-trip, and anything altered or replayed elsewhere is a 400."""

from __future__ import annotations

import pytest
from common.errors import BadRequest
from common.pagination import CursorCodec

codec = CursorCodec("secret")


def test_round_trip():
    cursor = codec.encode({"after": "01ABC", "n": 2}, "scope-a")
    assert codec.decode(cursor, "scope-a") == {"after": "01ABC", "n": 2}
    assert "=" not in cursor and "+" not in cursor and "/" not in cursor


def test_bound_to_scope_and_key():
    cursor = codec.encode({"after": "x"}, "alice")
    with pytest.raises(BadRequest):
        codec.decode(cursor, "bob")
    with pytest.raises(BadRequest):
        CursorCodec("other").decode(cursor, "alice")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c[:-1],
        lambda c: "A" + c[1:] if c[0] != "A" else "B" + c[1:],
        lambda c: c.replace(".", ""),
        lambda c: c + ".x",
        lambda c: "",
        lambda c: "x" * 5000,
        lambda c: "%%%.%%%",
    ],
)
def test_tampering_is_rejected(mutate):
    cursor = codec.encode({"after": "x"}, "s")
    with pytest.raises(BadRequest) as caught:
        codec.decode(mutate(cursor), "s")
    assert caught.value.code == "InvalidCursor"


def test_signed_non_object_payload_is_rejected():
    import base64
    import hashlib
    import hmac

    payload = b"[1,2]"
    mac = hmac.new(b"secret", b"s\x00" + payload, hashlib.sha256).digest()[:16]
    enc = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    with pytest.raises(BadRequest):
        codec.decode(f"{enc(payload)}.{enc(mac)}", "s")


def test_a_key_is_required():
    with pytest.raises(ValueError):
        CursorCodec("")
