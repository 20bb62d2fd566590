"""Authorizers: Cognito user pools and JWT (verified against the issuer's JWKS), and Lambda TOKEN/REQUEST.

A token is trusted only after its RS256 signature, issuer, lifetime, token use and audience check out;
results are cached by token but never past the token's expiry. Lambda authorizer policies are cached by
identity source for the authorizer's TTL and re-evaluated against each request's method ARN, as AWS does.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt

from localcloud.model import InvokeResult

log = logging.getLogger(__name__)

CLOCK_SKEW = 300
JWKS_TTL = 3600.0
CLIENTS_TTL = 60.0
MIN_REFETCH = 1.0


class Denied(Exception):
    """Authorization failed; `kind` is the gateway response type (UNAUTHORIZED, ACCESS_DENIED, ...)."""

    def __init__(self, kind: str, reason: str, message: str | None = None):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.message = message


class JwksCache:
    """Signing keys by JWKS URL, refetched when a token names an unknown kid (at most once a second)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._keys: dict[str, tuple[float, dict[str, jwt.PyJWK]]] = {}
        self._lock = threading.Lock()

    def key(self, url: str, kid: str | None) -> jwt.PyJWK:
        now = self._clock()
        with self._lock:
            cached = self._keys.get(url)
        if cached is None or now - cached[0] > JWKS_TTL or (kid not in cached[1] and now - cached[0] > MIN_REFETCH):
            keys = self._fetch(url)
            with self._lock:
                self._keys[url] = (now, keys)
            cached = (now, keys)
        found = cached[1].get(kid)
        if found is None:
            raise Denied("UNAUTHORIZED", f"no key {kid!r} in {url}")
        return found

    @staticmethod
    def _fetch(url: str) -> dict[str, jwt.PyJWK]:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                document = json.loads(resp.read())
        except Exception as exc:
            raise Denied("UNAUTHORIZED", f"cannot fetch JWKS from {url}: {exc}") from None
        keys = {}
        for jwk in document.get("keys") or []:
            if jwk.get("kty") != "RSA":
                continue
            try:
                keys[jwk.get("kid")] = jwt.PyJWK(jwk, algorithm="RS256")
            except jwt.PyJWTError as exc:
                log.warning("skipping unusable key %s in %s: %s", jwk.get("kid"), url, exc)
        return keys

    def reset(self) -> None:
        with self._lock:
            self._keys.clear()


def _verify_signed(token: str, jwks: JwksCache, jwks_url: str, issuer: str, now: float) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise Denied("UNAUTHORIZED", "not a JWT") from None
    if header.get("alg") != "RS256":
        raise Denied("UNAUTHORIZED", f"algorithm {header.get('alg')!r} is not RS256")
    key = jwks.key(jwks_url, header.get("kid"))
    try:
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            issuer=issuer,
            options={
                "require": ["exp", "iss"],
                "verify_aud": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise Denied("UNAUTHORIZED", f"invalid token: {exc}") from None
    try:
        exp = float(claims["exp"])
        nbf = float(claims.get("nbf", 0))
        iat = float(claims.get("iat", 0))
    except (TypeError, ValueError):
        raise Denied("UNAUTHORIZED", "exp/nbf/iat must be numbers") from None
    if now >= exp:
        raise Denied("UNAUTHORIZED", "token expired")
    if nbf > now + CLOCK_SKEW or iat > now + CLOCK_SKEW:
        raise Denied("UNAUTHORIZED", "token not valid yet")
    return claims


def bearer(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


class _ResultCache:
    """Verified claims by token, dropped at the token's expiry."""

    def __init__(self):
        self._items: dict[tuple, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, now: float) -> dict | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            if now >= hit[0]:
                del self._items[key]
                return None
            return hit[1]

    def put(self, key: tuple, exp: float, claims: dict) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (exp, claims)

    def reset(self) -> None:
        with self._lock:
            self._items.clear()


class CognitoVerifier:
    """Verifies user-pool tokens for REST `cognito_user_pools` authorizers and HTTP API JWT authorizers."""

    def __init__(self, aws_endpoint: str, aws: Callable[[str], Any], clock: Callable[[], float] = time.time):
        self._endpoint = aws_endpoint.rstrip("/")
        self._aws = aws
        self._clock = clock
        self.jwks = JwksCache(clock)
        self._clients: dict[str, tuple[float, set[str]]] = {}
        self._results = _ResultCache()
        self._lock = threading.Lock()

    def reset(self) -> None:
        self.jwks.reset()
        self._results.reset()
        with self._lock:
            self._clients.clear()

    def jwks_url(self, issuer: str) -> str:
        """Cognito issuers map to the local AWS endpoint; any other issuer serves its own JWKS."""
        m = re.fullmatch(r"https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([\w-]+)", issuer)
        if m:
            return f"{self._endpoint}/{m.group(1)}/.well-known/jwks.json"
        return issuer.rstrip("/") + "/.well-known/jwks.json"

    def _pool_clients(self, pool_id: str, region: str, want: str | None) -> set[str]:
        now = self._clock()
        with self._lock:
            cached = self._clients.get(pool_id)
        fresh = cached is not None and now - cached[0] < CLIENTS_TTL
        if fresh and (want in cached[1] or now - cached[0] < MIN_REFETCH):
            return cached[1]
        ids: set[str] = set()
        try:
            client = self._aws("cognito-idp")
            kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 60}
            while True:
                page = client.list_user_pool_clients(**kwargs)
                ids |= {c["ClientId"] for c in page.get("UserPoolClients", [])}
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
        except Exception as exc:
            raise Denied("UNAUTHORIZED", f"cannot list app clients of user pool {pool_id}: {exc}") from None
        with self._lock:
            self._clients[pool_id] = (now, ids)
        return ids

    def verify_user_pool(self, token: str, provider_arns: list[str], scopes: list[str]) -> dict[str, Any]:
        """Claims of a token one of the pools issued; access token + scope when the method names scopes."""
        now = self._clock()
        cache_key = (token, tuple(provider_arns), tuple(scopes))
        cached = self._results.get(cache_key, now)
        if cached is not None:
            return cached
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Denied("UNAUTHORIZED", "not a JWT") from None
        issuer = str(unverified.get("iss", ""))
        pools = {}
        for arn in provider_arns:
            parts = arn.split(":")
            region, pool_id = (parts[3] if len(parts) > 3 else ""), arn.rsplit("/", 1)[-1]
            pools[f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"] = (pool_id, region)
        if issuer not in pools:
            raise Denied("UNAUTHORIZED", f"issuer {issuer!r} is not one of the authorizer's user pools")
        pool_id, region = pools[issuer]
        claims = _verify_signed(token, self.jwks, self.jwks_url(issuer), issuer, now)
        use = claims.get("token_use")
        if scopes:
            if use != "access":
                raise Denied("UNAUTHORIZED", "the method requires scopes, so an access token")
            granted = str(claims.get("scope", "")).split()
            if not set(granted) & set(scopes):
                raise Denied("UNAUTHORIZED", f"token scopes {granted} meet none of {scopes}")
            audience = claims.get("client_id")
        else:
            if use != "id":
                raise Denied("UNAUTHORIZED", "the method has no scopes, so it takes an id token")
            audience = claims.get("aud")
        if not isinstance(audience, str) or audience not in self._pool_clients(pool_id, region, audience):
            raise Denied("UNAUTHORIZED", f"audience {audience!r} is not an app client of {pool_id}")
        self._results.put(cache_key, float(claims["exp"]), claims)
        return claims

    def verify_jwt(self, token: str, issuer: str, audiences: list[str], scopes: list[str]) -> dict[str, Any]:
        """HTTP API JWT authorizer: issuer, audience (aud or client_id), lifetime and scopes."""
        now = self._clock()
        cache_key = ("jwt", token, issuer, tuple(audiences), tuple(scopes))
        cached = self._results.get(cache_key, now)
        if cached is not None:
            return cached
        claims = _verify_signed(token, self.jwks, self.jwks_url(issuer), issuer, now)
        aud = claims.get("aud")
        token_audiences = aud if isinstance(aud, list) else [aud] if aud else []
        if claims.get("client_id"):
            token_audiences.append(claims["client_id"])
        if audiences and not set(token_audiences) & set(audiences):
            raise Denied("UNAUTHORIZED", f"audience {token_audiences} is not one of {audiences}")
        if scopes:
            granted = str(claims.get("scope", claims.get("scp", ""))).split()
            if not set(granted) & set(scopes):
                raise Denied("ACCESS_DENIED", f"token scopes {granted} meet none of {scopes}", "Forbidden")
        self._results.put(cache_key, float(claims["exp"]), claims)
        return claims


def rest_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as a REST API hands them on: every value a string, times as 'Fri Jul 29 18:52:53 UTC 2016'."""
    out = {}
    for k, v in claims.items():
        if k in ("exp", "iat") and isinstance(v, int | float):
            out[k] = datetime.fromtimestamp(v, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, list):
            out[k] = ",".join(str(x) for x in v)
        elif isinstance(v, dict):
            out[k] = json.dumps(v)
        else:
            out[k] = str(v)
    return out


def http_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as an HTTP API JWT authorizer hands them on: strings, lists as '[a b]'."""
    out = {}
    for k, v in claims.items():
        if isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, list):
            out[k] = "[" + " ".join(str(x) for x in v) + "]"
        elif isinstance(v, dict):
            out[k] = json.dumps(v)
        else:
            out[k] = str(v)
    return out


def policy_allows(policy: Any, method_arn: str) -> bool:
    """IAM evaluation of an authorizer policy for execute-api:Invoke on `method_arn`: explicit Deny wins."""
    if not isinstance(policy, dict):
        raise ValueError("policyDocument must be an object")
    statements = policy.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError("policyDocument.Statement must be a list")
    allowed = False
    for st in statements:
        if not isinstance(st, dict):
            raise ValueError("each policy statement must be an object")
        actions = st.get("Action", [])
        resources = st.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        if not any(_wild(a.lower(), "execute-api:invoke") for a in actions if isinstance(a, str)):
            continue
        if not any(_wild(r, method_arn) for r in resources if isinstance(r, str)):
            continue
        effect = str(st.get("Effect", ""))
        if effect == "Deny":
            return False
        if effect == "Allow":
            allowed = True
    return allowed


def _wild(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None


class LambdaAuthorizers:
    """TOKEN and REQUEST authorizers: invoke, evaluate the policy, cache by identity source."""

    def __init__(self, invoke: Callable[[str, dict], InvokeResult], clock: Callable[[], float] = time.monotonic):
        self._invoke = invoke
        self._clock = clock
        self._cache: dict[tuple, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._cache.clear()

    def authorize(
        self, name: str, function: str, event: dict, identity: tuple, ttl: int, method_arn: str
    ) -> dict[str, Any]:
        """The `requestContext.authorizer` for this request, or Denied."""
        answer = self._cached((name, function, identity), ttl, lambda: self._call_policy(function, event))
        try:
            allowed = policy_allows(answer.get("policyDocument"), method_arn)
        except ValueError as exc:
            raise Denied("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function}: {exc}") from None
        if not allowed:
            raise Denied(
                "ACCESS_DENIED",
                f"authorizer {function} denied {method_arn}",
                "User is not authorized to access this resource with an explicit deny",
            )
        context = answer.get("context") or {}
        if not isinstance(context, dict):
            raise Denied("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function}: context must be an object")
        out: dict[str, Any] = {}
        for k, v in context.items():
            if isinstance(v, dict | list):
                raise Denied("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function}: context.{k} is not a primitive")
            out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v) if v is not None else None
        out["principalId"] = str(answer.get("principalId", ""))
        out["integrationLatency"] = 0
        return out

    def simple(self, name: str, function: str, event: dict, identity: tuple, ttl: int) -> dict[str, Any]:
        """HTTP API simple responses: {"isAuthorized": bool, "context": {...}} → the context, or Denied."""
        answer = self._cached((name, function, identity, "simple"), ttl, lambda: self._call_simple(function, event))
        if not answer["isAuthorized"]:
            raise Denied("ACCESS_DENIED", f"authorizer {function} answered isAuthorized=false", "Forbidden")
        context = answer.get("context") or {}
        return dict(context) if isinstance(context, dict) else {}

    def _cached(self, key: tuple, ttl: int, call: Callable[[], dict]) -> dict:
        """A checked answer cached for `ttl` seconds, so the function runs only when none is fresh."""
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and now < hit[0]:
            return hit[1]
        answer = call()
        if ttl > 0:
            with self._lock:
                self._cache[key] = (now + ttl, answer)
        return answer

    def _raw(self, function: str, event: dict) -> Any:
        result = self._invoke(function, event)
        if result.error:
            if str(result.error.get("errorMessage", "")) == "Unauthorized":
                raise Denied("UNAUTHORIZED", f"authorizer {function} answered Unauthorized")
            raise Denied("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function} failed: {result.error}")
        return result.payload

    def _call_policy(self, function: str, event: dict) -> dict:
        answer = self._raw(function, event)
        if not isinstance(answer, dict) or "principalId" not in answer or "policyDocument" not in answer:
            raise Denied(
                "AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function} returned no principalId/policyDocument"
            )
        return answer

    def _call_simple(self, function: str, event: dict) -> dict:
        answer = self._raw(function, event)
        if not isinstance(answer, dict) or not isinstance(answer.get("isAuthorized"), bool):
            raise Denied("AUTHORIZER_CONFIGURATION_ERROR", f"authorizer {function} returned no isAuthorized")
        return answer
