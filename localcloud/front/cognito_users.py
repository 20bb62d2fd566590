"""moto's Cognito user pools read in process, and Cognito's rules for where a user's codes go.

In process because moto's API cannot say which pool owns a client id (SignUp, ForgotPassword and
ConfirmSignUp carry nothing else) or which user an access token belongs to, and the front already runs
in moto's process. This is the one module that touches moto's Cognito objects.

Delivery follows Cognito: a sign-up code goes to the phone when the pool auto-verifies phone numbers and
the user has one, else to the email address when the pool auto-verifies email, else nowhere (an admin
confirms the user). A forgot-password code follows `AccountRecoverySetting` (by priority; without it,
Cognito's legacy order, a verified phone before a verified email) and needs a *verified* attribute.
localcloud delivers email only: an SMS delivery is reported, never sent, and its codes stay moto's.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from moto.cognitoidp.models import CognitoIdpUser, CognitoIdpUserPool, UserStatus, cognitoidp_backends
from moto.core.exceptions import JsonRESTError

from localcloud.front.cognito_messages import mask_email, mask_phone
from localcloud.front.identity import CognitoError

EMAIL = "EMAIL"
SMS = "SMS"
_LEGACY_RECOVERY = [{"Name": "verified_phone_number", "Priority": 1}, {"Name": "verified_email", "Priority": 2}]
_NO_RECOVERY = "Cannot reset password for the user as there is no registered/verified email or phone_number"
_SYMBOLS = "!#%&*+-=?@^_~"


@dataclass(frozen=True)
class Delivery:
    """Where a code goes: medium (EMAIL or SMS), the attribute it verifies, and the unmasked address."""

    medium: str
    attribute: str
    address: str

    def details(self) -> dict[str, str]:
        """The CodeDeliveryDetails Cognito returns for it."""
        masked = mask_email(self.address) if self.medium == EMAIL else mask_phone(self.address)
        return {"Destination": masked, "DeliveryMedium": self.medium, "AttributeName": self.attribute}


def _pools() -> list[CognitoIdpUserPool]:
    return [
        pool
        for account in list(cognitoidp_backends.values())
        for region, backend in list(account.items())
        if region != "global"
        for pool in list(backend.user_pools.values())
    ]


def pool_of_client(client_id: Any) -> CognitoIdpUserPool | None:
    """The user pool that owns an app client id."""
    if not isinstance(client_id, str):
        return None
    return next((pool for pool in _pools() if client_id in pool.clients), None)


def pool_by_id(pool_id: Any) -> CognitoIdpUserPool | None:
    return next((pool for pool in _pools() if pool.id == pool_id), None)


def user_of_token(access_token: Any) -> tuple[CognitoIdpUserPool, CognitoIdpUser] | None:
    """The pool and user an access token was issued to (None for an unknown or revoked token)."""
    if not isinstance(access_token, str):
        return None
    for pool in _pools():
        issued = pool.access_tokens.get(access_token)
        if issued is not None:
            user = pool._get_user(issued[1])
            return (pool, user) if user is not None else None
    return None


def find_user(pool: CognitoIdpUserPool, username: Any) -> CognitoIdpUser | None:
    """The user a username or a username attribute (email, phone) names, as moto resolves it."""
    return pool._get_user(username) if isinstance(username, str) and username else None


def config(pool: CognitoIdpUserPool) -> dict[str, Any]:
    """The pool's settings as CreateUserPool spelled them."""
    return pool.extended_config


def prevents_existence_errors(pool: CognitoIdpUserPool, client_id: str) -> bool:
    client = pool.clients.get(client_id)
    return client is not None and client.extended_config.get("PreventUserExistenceErrors") == "ENABLED"


def sign_up_delivery(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> Delivery | None:
    """Where Cognito sends this user's sign-up (and resend) code, or None when it sends none."""
    auto = pool.extended_config.get("AutoVerifiedAttributes") or []
    attributes = user.attribute_lookup
    if "phone_number" in auto and attributes.get("phone_number"):
        return Delivery(SMS, "phone_number", attributes["phone_number"])
    if "email" in auto and attributes.get("email"):
        return Delivery(EMAIL, "email", attributes["email"])
    return None


def recovery_delivery(pool: CognitoIdpUserPool, user: CognitoIdpUser) -> Delivery | None:
    """Where Cognito sends this user's forgot-password code; None when the pool is admin-only (moto
    refuses those itself). Raises InvalidParameterException when the user has no verified address."""
    setting = pool.extended_config.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or _LEGACY_RECOVERY, key=lambda m: m.get("Priority", 0))
    attributes = user.attribute_lookup
    for mechanism in mechanisms:
        name = mechanism.get("Name")
        if name == "admin_only":
            return None
        if name == "verified_phone_number" and _verified(attributes, "phone_number"):
            return Delivery(SMS, "phone_number", attributes["phone_number"])
        if name == "verified_email" and _verified(attributes, "email"):
            return Delivery(EMAIL, "email", attributes["email"])
    raise CognitoError("InvalidParameterException", _NO_RECOVERY)


def _verified(attributes: dict[str, str], name: str) -> bool:
    return bool(attributes.get(name)) and str(attributes.get(f"{name}_verified", "")).lower() == "true"


def mark_verified(user: CognitoIdpUser, attribute: str) -> None:
    """Record that the user proved `attribute` (email or phone_number) with a code."""
    user.update_attributes([{"Name": f"{attribute}_verified", "Value": "true"}])


def forget_motos_code(user: CognitoIdpUser) -> None:
    """moto's own forgot-password code (handed back in an `x-moto-...` header) must not work either."""
    user.confirmation_code = None


def check_password(pool: CognitoIdpUserPool, password: Any) -> None:
    """Raise Cognito's InvalidPasswordException for a password the pool's policy refuses (moto checks
    it on sign-up and password changes, but not in ConfirmForgotPassword)."""
    try:
        pool.backend._validate_password(pool.id, password if isinstance(password, str) else "")
    except JsonRESTError as error:
        raise CognitoError(error.error_type, error.message) from None


def is_confirmed(user: CognitoIdpUser) -> bool:
    return user.status == UserStatus.CONFIRMED


def is_awaiting_first_sign_in(user: CognitoIdpUser) -> bool:
    return user.status == UserStatus.FORCE_CHANGE_PASSWORD


def set_temporary_password(user: CognitoIdpUser, password: str) -> None:
    """A new temporary password the user must change at first sign-in (AdminCreateUser RESEND)."""
    user.password = password
    user.status = UserStatus.FORCE_CHANGE_PASSWORD
    user.last_modified_date = datetime.now(UTC).replace(tzinfo=None)


def temporary_password(pool: CognitoIdpUserPool) -> str:
    """A password Cognito could have generated: one of each character class, long enough for the
    pool's policy (moto leaves a user created without TemporaryPassword with no password at all)."""
    policy = (pool.extended_config.get("Policies") or {}).get("PasswordPolicy") or {}
    length = max(int(policy.get("MinimumLength") or 8), 12)
    classes = (string.ascii_lowercase, string.ascii_uppercase, string.digits, _SYMBOLS)
    chars = [secrets.choice(c) for c in classes]
    chars += [secrets.choice(string.ascii_letters + string.digits) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def user_json(user: CognitoIdpUser) -> dict[str, Any]:
    """The user as AdminCreateUser returns it (`User`), dates as epoch seconds."""
    data = user.to_json(extended=True)
    for key in ("UserCreateDate", "UserLastModifiedDate"):
        value = data.get(key)
        if isinstance(value, datetime):
            data[key] = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    data["UserStatus"] = str(user.status.value if isinstance(user.status, UserStatus) else user.status)
    return {k: v for k, v in data.items() if k not in ("UserMFASettingList", "PreferredMfaSetting", "UserPoolId")}
