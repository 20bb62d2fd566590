"""The confirmation codes localcloud's Cognito has emailed, so the confirm calls can check them.

moto keeps no sign-up code at all (ConfirmSignUp accepts any code) and checks a forgot-password code
only when it starts with its own `moto-confirmation-code:` prefix. Cognito checks every code and lets it
expire: 24 hours for sign-up and attribute-verification codes, 1 hour for forgot-password codes.

One live code per (user pool, user, purpose): issuing a new one replaces the old, so after a resend only
the newest code works. An expired code is kept (for a week) so that using it says "expired", not
"mismatch", as Cognito does. The store is plain data: `snapshot()` gives a JSON-able dict and `restore()`
takes it back, so the persistence layer can keep codes across restarts; `reset()` forgets them all.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from localcloud.front.identity import CognitoError

SIGN_UP = "sign_up"
FORGOT_PASSWORD = "forgot_password"  # noqa: S105 - a purpose, not a password
VERIFY_EMAIL = "verify_email"
LIFETIMES = {SIGN_UP: 24 * 3600, FORGOT_PASSWORD: 3600, VERIFY_EMAIL: 24 * 3600}
SNAPSHOT_VERSION = 1
_KEEP_EXPIRED = 7 * 24 * 3600
MISMATCH_MESSAGE = "Invalid verification code provided, please try again."
EXPIRED_MESSAGE = "Invalid code provided, please request a code again."


@dataclass(frozen=True)
class IssuedCode:
    """One code as it was sent: to whom, for what, and until when it is valid."""

    pool_id: str
    username: str
    purpose: str
    code: str
    issued_at: float
    expires_at: float


class CodeStore:
    """Issued codes by (pool id, username, purpose); `username` is moto's own name for the user (its sub
    when the pool signs users in by email), so an alias and the username find the same code."""

    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str, str], IssuedCode] = {}

    def issue(self, pool_id: str, username: str, purpose: str) -> str:
        """A new six-digit code for this purpose, replacing any earlier one."""
        now = self.clock()
        issued = IssuedCode(
            pool_id, username, purpose, f"{secrets.randbelow(10**6):06d}", now, now + LIFETIMES[purpose]
        )
        with self._lock:
            self._codes = {k: c for k, c in self._codes.items() if c.expires_at + _KEEP_EXPIRED > now}
            self._codes[(pool_id, username, purpose)] = issued
        return issued.code

    def has(self, pool_id: str, username: str, purpose: str) -> bool:
        return (pool_id, username, purpose) in self._codes

    def check(self, pool_id: str, username: str, purpose: str, code: str | None) -> None:
        """Raise Cognito's CodeMismatchException or ExpiredCodeException unless `code` is the live one.
        The code stays issued: call `discard` once the confirmation it guards has succeeded."""
        issued = self._codes.get((pool_id, username, purpose))
        if issued is None or not isinstance(code, str) or not secrets.compare_digest(code, issued.code):
            raise CognitoError("CodeMismatchException", MISMATCH_MESSAGE)
        if self.clock() >= issued.expires_at:
            raise CognitoError("ExpiredCodeException", EXPIRED_MESSAGE)

    def discard(self, pool_id: str, username: str, purpose: str) -> None:
        with self._lock:
            self._codes.pop((pool_id, username, purpose), None)

    def reset(self) -> None:
        """Forget every code (the users they were sent to are wiped with the data)."""
        with self._lock:
            self._codes.clear()

    def snapshot(self) -> dict[str, Any]:
        """Every issued code as JSON-able data, for `restore` after a restart."""
        with self._lock:
            codes = [asdict(c) for c in self._codes.values()]
        return {"version": SNAPSHOT_VERSION, "codes": codes}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Replace the issued codes with a `snapshot()`; raise ValueError (keeping the current codes)
        if it is not one this version wrote."""
        if not isinstance(snapshot, dict) or snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"not a version {SNAPSHOT_VERSION} Cognito code snapshot")
        try:
            codes = [
                IssuedCode(
                    str(c["pool_id"]),
                    str(c["username"]),
                    str(c["purpose"]),
                    str(c["code"]),
                    float(c["issued_at"]),
                    float(c["expires_at"]),
                )
                for c in snapshot.get("codes", [])
            ]
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"malformed Cognito code snapshot: {error!r}") from None
        if any(c.purpose not in LIFETIMES for c in codes):
            raise ValueError("Cognito code snapshot names an unknown purpose")
        with self._lock:
            self._codes = {(c.pool_id, c.username, c.purpose): c for c in codes}
