"""RS256 (RSASSA-PKCS1-v1_5 with SHA-256) verification for PyJWT without `cryptography`.

Lambda@Edge allows a viewer-trigger package of 1 MB zipped, and `cryptography` (what PyJWT's RSA uses)
is larger than that on its own. Verifying needs only the public operation: s^e mod n, compared byte for
byte with the full EMSA-PKCS1-v1_5 encoding of the message's SHA-256 digest (RFC 8017 section 8.2.2).
Nothing is parsed out of the decrypted block, so no padding-oracle or lax-parsing attack applies. It is
registered with a private PyJWS, so PyJWT still does every other check (header, claims, lifetimes).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from jwt import PyJWS
from jwt.algorithms import Algorithm
from jwt.utils import base64url_decode

_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
MIN_BITS = 2048


class PublicKey(tuple):
    """(n, e) of an RSA public key."""


class RS256(Algorithm):
    def prepare_key(self, key: Any) -> PublicKey:
        if isinstance(key, PublicKey):
            return key
        if not isinstance(key, dict) or key.get("kty") != "RSA" or key.get("alg", "RS256") != "RS256":
            raise ValueError("an RS256 key must be an RSA JWK")
        n = int.from_bytes(base64url_decode(key["n"]), "big")
        e = int.from_bytes(base64url_decode(key["e"]), "big")
        if n.bit_length() < MIN_BITS or e < 3 or e % 2 == 0:
            raise ValueError("the RSA key is too weak")
        return PublicKey((n, e))

    def sign(self, msg: bytes, key: Any) -> bytes:
        raise NotImplementedError("the guard only verifies")

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        n, e = self.prepare_key(key)
        size = (n.bit_length() + 7) // 8
        if len(sig) != size:
            return False
        signature = int.from_bytes(sig, "big")
        if signature >= n:
            return False
        block = pow(signature, e, n).to_bytes(size, "big")
        digest_info = _SHA256_DIGEST_INFO + hashlib.sha256(msg).digest()
        expected = b"\x00\x01" + b"\xff" * (size - 3 - len(digest_info)) + b"\x00" + digest_info
        return hmac.compare_digest(block, expected)

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        raise NotImplementedError

    @staticmethod
    def from_jwk(jwk: Any) -> PublicKey:
        return RS256().prepare_key(jwk)


def signature_checker() -> PyJWS:
    """A PyJWS that knows RS256 only (so `none` and HS256 with a public key can never be chosen)."""
    jws = PyJWS(algorithms=[])
    jws.register_algorithm("RS256", RS256())
    return jws
