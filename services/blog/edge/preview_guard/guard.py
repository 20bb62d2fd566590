"""PreviewGuardFunction (Lambda@Edge, viewer-request on /preview/*): drafts are for admins only.

The id token comes from the `Authorization` header (`Bearer <token>` or the bare token) or the `id_token`
cookie. It passes only when its RS256 signature verifies against the user pool's JWKS, its issuer is the
pool, its audience the app client, `token_use` is `id`, it has not expired, and `cognito:groups` holds
`admins`. No token or a bad one is a 401, a valid non-admin a 403; both say `no-store`, and the preview
behaviour has caching disabled, so no answer is ever kept. A passing request has its pretty path mapped
to the object (`/preview/a` or `/preview/a/` → `/preview/a/index.html`): this behaviour's viewer-request
is this function, so the site's CloudFront Function does not run here.

Lambda@Edge has no environment variables: the pool's issuer, client id and JWKS URL come from
`edge_config.py`, generated before the build by `scripts/blog_edge_config.py` (see the README).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from http.cookies import CookieError, SimpleCookie
from typing import Any

import jwt

from preview_guard.rs256 import signature_checker

try:
    from preview_guard import edge_config
except ImportError:  # not generated: fail closed, every request is refused
    edge_config = None

COOKIE = "id_token"
JWKS_REFRESH_SECONDS = 300
LEEWAY_SECONDS = 0
_jws = signature_checker()
_lock = threading.Lock()
_keys: dict[str, dict] = {}
_fetched_at = 0.0


def _jwks(kid: str) -> dict | None:
    """The JWK with this key id; the set is fetched once, and again (at most every 5 minutes) for a new kid."""
    global _fetched_at
    with _lock:
        if not _fetched_at or (kid not in _keys and time.monotonic() - _fetched_at > JWKS_REFRESH_SECONDS):
            with urllib.request.urlopen(edge_config.JWKS_URL, timeout=3) as response:
                keys = json.load(response).get("keys", [])
            _keys.clear()
            _keys.update({key["kid"]: key for key in keys if isinstance(key, dict) and "kid" in key})
            _fetched_at = time.monotonic()
        return _keys.get(kid)


def token_of(headers: dict) -> str | None:
    for entry in headers.get("authorization", []):
        value = entry.get("value", "").strip()
        return value.removeprefix("Bearer ").strip() or None
    for entry in headers.get("cookie", []):
        try:
            cookie = SimpleCookie(entry.get("value", ""))
        except CookieError:
            continue
        if COOKIE in cookie and cookie[COOKIE].value:
            return cookie[COOKIE].value
    return None


def verify(token: str) -> dict[str, Any]:
    """The token's claims once every check passed; jwt.PyJWTError (or ValueError) otherwise."""
    header = jwt.get_unverified_header(token)
    if header.get("alg") != "RS256":
        raise jwt.InvalidAlgorithmError("only RS256")
    key = _jwks(str(header.get("kid")))
    if key is None:
        raise jwt.InvalidKeyError("unknown key id")
    _jws.decode_complete(token, key=key, algorithms=["RS256"])  # the signature
    claims = jwt.decode(
        token,
        options={"verify_signature": False, "verify_exp": True, "verify_iat": True, "verify_iss": True,
                 "verify_aud": True, "require": ["exp", "iat", "iss", "aud", "token_use", "sub"]},
        issuer=edge_config.ISSUER,
        audience=edge_config.CLIENT_ID,
        leeway=LEEWAY_SECONDS,
    )  # fmt: skip
    if claims.get("token_use") != "id":
        raise jwt.InvalidTokenError("not an id token")
    return claims


def _groups(claims: dict) -> set[str]:
    groups = claims.get("cognito:groups")
    return {str(g) for g in groups} if isinstance(groups, list) else set()


def deny(status: int, message: str) -> dict:
    headers = {
        "cache-control": [{"key": "Cache-Control", "value": "no-store"}],
        "content-type": [{"key": "Content-Type", "value": "text/plain; charset=utf-8"}],
    }
    if status == 401:
        headers["www-authenticate"] = [{"key": "WWW-Authenticate", "value": 'Bearer realm="preview"'}]
    description = {401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable"}[status]
    return {"status": str(status), "statusDescription": description, "headers": headers, "body": message}


def object_uri(uri: str) -> str:
    last = uri.rstrip("/").rsplit("/", 1)[-1]
    return uri if "." in last else uri.rstrip("/") + "/index.html"


def handler(event: dict, context: Any) -> dict:
    request = event["Records"][0]["cf"]["request"]
    if edge_config is None:
        return deny(503, "previews are not configured (edge_config.py was not generated)")
    token = token_of(request.get("headers", {}))
    if not token:
        return deny(401, "sign in as an admin to see previews")
    try:
        claims = verify(token)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        return deny(401, "the token is not valid")
    except OSError:
        return deny(503, "the user pool's keys could not be fetched")
    if edge_config.ADMIN_GROUP not in _groups(claims):
        return deny(403, "previews are for admins only")
    request["uri"] = object_uri(request["uri"])
    return request
