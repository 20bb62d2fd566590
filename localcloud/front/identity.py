"""Cognito Identity, done locally the way AWS does it (moto hands out a new identity on every GetId and
the same fixed keys to everyone).

GetId verifies the user pool id token (signature against the pool's JWKS, issuer, expiry, token_use and
audience against the identity pool's configured app clients) and derives a stable identity id per
(identity pool, user). GetCredentialsForIdentity issues temporary credentials bound to that identity and
to the pool's authenticated role, which `AwsFront` then enforces. moto does not implement the pool's
role attachment either, so Set/GetIdentityPoolRoles are answered here too.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import jwt

NAMESPACE = uuid.UUID("6c1b6f0e-4c3a-5d0e-9a57-1f0c2a1c0d10")
ROLE_SESSION_NAME = "CognitoIdentityCredentials"
OPERATIONS = frozenset({"GetId", "GetCredentialsForIdentity", "SetIdentityPoolRoles", "GetIdentityPoolRoles"})
_KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_LOGINS_MISMATCH = "Logins don't match. Please include at least one valid login for this identity or identity pool."


class CognitoError(Exception):
    """An error answered as AWS JSON: HTTP 400 {"__type": code, "message": ...}."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Identity:
    identity_id: str
    pool_id: str
    providers: tuple[str, ...]


@dataclass
class Session:
    """Temporary credentials issued for one identity."""

    access_key: str
    secret_key: str
    session_token: str
    identity_id: str
    pool_id: str
    role_arn: str
    role_id: str
    issued_at: float
    expires_at: float
    amr: list[str] = field(default_factory=list)

    @property
    def arn(self) -> str:
        """The assumed-role session ARN, as STS GetCallerIdentity and resource policies see it."""
        account = self.role_arn.split(":")[4]
        role_name = self.role_arn.rsplit("/", 1)[-1]
        return f"arn:aws:sts::{account}:assumed-role/{role_name}/{ROLE_SESSION_NAME}"


def is_issued_key_format(access_key: str) -> bool:
    """Whether an access key id has the shape this module issues (ASIA + 12 random + 4 check characters),
    so a stale key (issued before a reset or restart) is refused instead of passing as an admin key."""
    if len(access_key) != 20 or not access_key.startswith("ASIA"):
        return False
    return access_key[16:] == _check(access_key[4:16])


def _check(body: str) -> str:
    digest = hashlib.sha256(f"localcloud:{body}".encode()).digest()
    return "".join(_KEY_ALPHABET[b % 32] for b in digest[:4])


def _new_access_key() -> str:
    body = "".join(secrets.choice(_KEY_ALPHABET) for _ in range(12))
    return f"ASIA{body}{_check(body)}"


class CognitoIdentity:
    """Identity pools' identities and the credentials issued for them."""

    def __init__(
        self,
        *,
        aws: Callable[[str], Any],
        jwks: Callable[[str], dict],
        clock: Callable[[], float] = time.time,
        credential_ttl: int = 3600,
    ):
        self._aws = aws
        self._fetch_jwks = jwks
        self.clock = clock
        self.credential_ttl = credential_ttl
        self._lock = threading.Lock()
        self._identities: dict[str, Identity] = {}
        self._sessions: dict[str, Session] = {}
        self._pool_roles: dict[str, dict[str, Any]] = {}
        self._jwks: dict[str, dict] = {}

    def reset(self) -> None:
        """Forget identities and issued credentials (role attachments are deployment config and stay)."""
        with self._lock:
            self._identities.clear()
            self._sessions.clear()

    def snapshot(self) -> dict[str, Any]:
        """Identities and unexpired credentials, JSON-able, for the saved state."""
        now = self.clock()
        with self._lock:
            return {
                "identities": [asdict(i) for i in self._identities.values()],
                "sessions": [asdict(s) for s in self._sessions.values() if s.expires_at > now],
            }

    def restore(self, saved: dict[str, Any]) -> int:
        """Take back what `snapshot` gave (after a restart); returns the number of identities."""
        identities = [Identity(i["identity_id"], i["pool_id"], tuple(i["providers"])) for i in saved["identities"]]
        sessions = [Session(**s) for s in saved["sessions"]]
        with self._lock:
            self._identities.update({i.identity_id: i for i in identities})
            self._sessions.update({s.access_key: s for s in sessions})
        return len(identities)

    def forget_pools(self) -> None:
        """moto was reset: its identity pools, and so their roles and identities, are gone."""
        with self._lock:
            self._pool_roles.clear()
            self._identities.clear()
            self._sessions.clear()

    def session(self, access_key: str) -> Session | None:
        return self._sessions.get(access_key)

    def handle(self, operation: str, payload: dict) -> dict:
        """Answer one AWSCognitoIdentityService operation (raises CognitoError)."""
        if operation == "GetId":
            return self.get_id(payload)
        if operation == "GetCredentialsForIdentity":
            return self.get_credentials_for_identity(payload)
        if operation == "SetIdentityPoolRoles":
            return self.set_identity_pool_roles(payload)
        if operation == "GetIdentityPoolRoles":
            return self.get_identity_pool_roles(payload)
        raise CognitoError("InvalidParameterException", f"Unsupported operation {operation}")

    def get_id(self, payload: dict) -> dict:
        pool_id = _required(payload, "IdentityPoolId")
        pool = self._describe_pool(pool_id)
        logins = payload.get("Logins") or {}
        if not logins:
            if not pool.get("AllowUnauthenticatedIdentities"):
                raise CognitoError(
                    "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."
                )
            identity = Identity(f"{pool_id.split(':', 1)[0]}:{uuid.uuid4()}", pool_id, ())
        else:
            identity = self._verify_logins(pool_id, pool, logins)[0]
        with self._lock:
            self._identities[identity.identity_id] = identity
        return {"IdentityId": identity.identity_id}

    def get_credentials_for_identity(self, payload: dict) -> dict:
        identity_id = _required(payload, "IdentityId")
        known = self._identities.get(identity_id)
        if known is None:
            raise CognitoError("ResourceNotFoundException", f"Identity '{identity_id}' not found.")
        logins = payload.get("Logins") or {}
        if known.providers or logins:
            if not logins:
                raise CognitoError("NotAuthorizedException", _LOGINS_MISMATCH)
            pool = self._describe_pool(known.pool_id)
            identity, claims = self._verify_logins(known.pool_id, pool, logins)
            if identity.identity_id != identity_id:
                raise CognitoError("NotAuthorizedException", _LOGINS_MISMATCH)
            role_arn = self._choose_role(known.pool_id, identity, claims, payload.get("CustomRoleArn"))
        else:
            identity, claims = known, {}
            role_arn = self._unauthenticated_role(known.pool_id)
        role_id = self._role_id(role_arn)
        now = self.clock()
        session = Session(
            access_key=_new_access_key(),
            secret_key=base64.b64encode(secrets.token_bytes(30)).decode(),
            session_token=base64.b64encode(secrets.token_bytes(96)).decode(),
            identity_id=identity_id,
            pool_id=known.pool_id,
            role_arn=role_arn,
            role_id=role_id,
            issued_at=now,
            expires_at=now + self.credential_ttl,
            amr=(
                ["authenticated", *identity.providers, *(f"{p}:CognitoSignIn:{claims[p]['sub']}" for p in claims)]
                if identity.providers
                else ["unauthenticated"]
            ),
        )
        with self._lock:
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires_at > now - 86400}
            self._sessions[session.access_key] = session
        return {
            "IdentityId": identity_id,
            "Credentials": {
                "AccessKeyId": session.access_key,
                "SecretKey": session.secret_key,
                "SessionToken": session.session_token,
                "Expiration": session.expires_at,
            },
        }

    def set_identity_pool_roles(self, payload: dict) -> dict:
        pool_id = _required(payload, "IdentityPoolId")
        self._describe_pool(pool_id)
        roles = payload.get("Roles") or {}
        for kind, arn in roles.items():
            if kind not in ("authenticated", "unauthenticated") or not str(arn).startswith("arn:aws:iam::"):
                raise CognitoError(
                    "InvalidParameterException", f"Invalid role {kind}={arn} for identity pool {pool_id}"
                )
        with self._lock:
            self._pool_roles[pool_id] = {"Roles": dict(roles), "RoleMappings": dict(payload.get("RoleMappings") or {})}
        return {}

    def get_identity_pool_roles(self, payload: dict) -> dict:
        pool_id = _required(payload, "IdentityPoolId")
        self._describe_pool(pool_id)
        attached = self._pool_roles.get(pool_id, {})
        return {"IdentityPoolId": pool_id, **{k: v for k, v in attached.items() if v}}

    def _describe_pool(self, pool_id: str) -> dict:
        client = self._aws("cognito-identity")
        try:
            return client.describe_identity_pool(IdentityPoolId=pool_id)
        except client.exceptions.ResourceNotFoundException as error:
            raise CognitoError("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.") from error

    def _verify_logins(self, pool_id: str, pool: dict, logins: dict) -> tuple[Identity, dict[str, dict]]:
        claims = {provider: self._verify_token(pool, provider, token) for provider, token in sorted(logins.items())}
        first = next(iter(claims))
        key = f"{pool_id}|{first}|{claims[first]['sub']}"
        identity_id = f"{pool_id.split(':', 1)[0]}:{uuid.uuid5(NAMESPACE, key)}"
        return Identity(identity_id, pool_id, tuple(claims)), claims

    def _verify_token(self, pool: dict, provider: str, token: str) -> dict:
        clients = [
            p.get("ClientId") for p in pool.get("CognitoIdentityProviders") or [] if p.get("ProviderName") == provider
        ]
        if not clients:
            raise CognitoError(
                "NotAuthorizedException", f"Token is not from a supported provider of this identity pool: {provider}"
            )
        user_pool_id = provider.rsplit("/", 1)[-1]
        try:
            header = jwt.get_unverified_header(token)
            key = self._signing_key(user_pool_id, header.get("kid"))
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=clients,
                issuer=f"https://{provider}",
                options={"verify_exp": False, "require": ["exp", "iss", "aud", "sub", "token_use"]},
            )
        except jwt.InvalidAudienceError as error:
            raise CognitoError("NotAuthorizedException", "Invalid login token. Incorrect token audience.") from error
        except jwt.InvalidIssuerError as error:
            raise CognitoError(
                "NotAuthorizedException", "Invalid login token. Issuer doesn't match providerName"
            ) from error
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise CognitoError(
                "NotAuthorizedException", f"Invalid login token. Couldn't verify signed token: {error}"
            ) from error
        if claims.get("token_use") != "id":
            raise CognitoError(
                "NotAuthorizedException", "Invalid login token. Not a valid OpenId Connect identity token."
            )
        if float(claims["exp"]) <= self.clock():
            raise CognitoError("NotAuthorizedException", f"Invalid login token. Token expired: {claims['exp']}")
        return claims

    def _signing_key(self, user_pool_id: str, kid: str | None) -> Any:
        for attempt in range(2):
            keys = self._jwks.get(user_pool_id)
            if keys is None or attempt:
                keys = self._jwks[user_pool_id] = self._fetch_jwks(user_pool_id)
            for jwk in keys.get("keys", []):
                if jwk.get("kid") == kid:
                    return jwt.PyJWK(jwk).key
        raise ValueError(f"no key {kid!r} in the JWKS of user pool {user_pool_id}")

    def _choose_role(self, pool_id: str, identity: Identity, claims: dict[str, dict], custom: str | None) -> str:
        attached = self._pool_roles.get(pool_id, {})
        default = (attached.get("Roles") or {}).get("authenticated")
        token_roles = [r for c in claims.values() for r in c.get("cognito:roles", [])]
        if custom:
            if custom in token_roles:
                return custom
            raise CognitoError("NotAuthorizedException", f"Role {custom} is not among the roles of this user's token.")
        for provider in identity.providers:
            mapping = (attached.get("RoleMappings") or {}).get(provider)
            if not mapping:
                continue
            chosen = _mapped_role(mapping, claims[provider])
            if chosen:
                return chosen
            if mapping.get("AmbiguousRoleResolution") == "Deny":
                raise CognitoError(
                    "AccessDeniedException", "No role mapping matched and AmbiguousRoleResolution is Deny."
                )
        if not default:
            raise CognitoError(
                "InvalidIdentityPoolConfigurationException",
                f"Invalid identity pool configuration. Check assigned IAM roles for this pool ({pool_id}).",
            )
        return default

    def _unauthenticated_role(self, pool_id: str) -> str:
        if not self._describe_pool(pool_id).get("AllowUnauthenticatedIdentities"):
            raise CognitoError(
                "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool."
            )
        role = ((self._pool_roles.get(pool_id) or {}).get("Roles") or {}).get("unauthenticated")
        if not role:
            raise CognitoError(
                "InvalidIdentityPoolConfigurationException",
                f"Invalid identity pool configuration. Check assigned IAM roles for this pool ({pool_id}).",
            )
        return role

    def _role_id(self, role_arn: str) -> str:
        client = self._aws("iam")
        try:
            return client.get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]["RoleId"]
        except client.exceptions.NoSuchEntityException as error:
            raise CognitoError(
                "InvalidIdentityPoolConfigurationException",
                f"Invalid identity pool configuration. Role {role_arn} does not exist.",
            ) from error


def _mapped_role(mapping: dict, claims: dict) -> str | None:
    if mapping.get("Type") == "Token":
        return claims.get("cognito:preferred_role")
    for rule in (mapping.get("RulesConfiguration") or {}).get("Rules", []):
        value = claims.get(rule.get("Claim", ""))
        values = value if isinstance(value, list) else [value]
        expected = rule.get("Value", "")
        match = rule.get("MatchType")
        if any(
            v is not None
            and (
                (match == "Equals" and str(v) == expected)
                or (match == "Contains" and expected in str(v))
                or (match == "StartsWith" and str(v).startswith(expected))
                or (match == "NotEqual" and str(v) != expected)
            )
            for v in values
        ):
            return rule.get("RoleARN")
    return None


def _required(payload: dict, name: str) -> str:
    value = payload.get(name)
    if not value or not isinstance(value, str):
        raise CognitoError(
            "InvalidParameterException",
            f"1 validation error detected: Value at '{name}' failed to satisfy constraint: Member must not be null",
        )
    return value
