"""Signing in with Cognito, keeping the tokens between runs, and identity-pool credentials for S3.

- **Sign-in** is USER_PASSWORD_AUTH against the app client, the flow the identity stack's client allows
  (with SRP and refresh). A mobile app would use SRP; the CLI runs on a trusted machine over TLS.
- **Tokens** are kept in one JSON file, mode 0600: `$PLATFORM_CLIENT_CONFIG`, else
  `$XDG_CONFIG_HOME/platform-client/tokens.json` (`~/.config/...`). They are keyed by the app client id,
  so local and AWS sign-ins live side by side. The ID token (what the APIs' Cognito authorizer checks) is
  refreshed with the refresh token a minute before it expires, or when an API answers 401.
- **Identity-pool credentials** come from GetId and GetCredentialsForIdentity with the ID token as the
  login. Their identity id (`region:uuid`) names the user's S3 folder, `private/<identity id>/`; it is not
  the user-pool `sub`, which keys the todos table.

Cognito's sign-in and identity calls are unsigned (they need no AWS credentials of the caller's own).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_client.endpoints import Endpoints
from platform_client.errors import ConfigError, NotSignedIn

CONFIG_ENV_VAR = "PLATFORM_CLIENT_CONFIG"
REFRESH_MARGIN = 60.0  # seconds before expiry when a token counts as expired


def default_token_file(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get(CONFIG_ENV_VAR):
        return Path(env[CONFIG_ENV_VAR])
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "platform-client" / "tokens.json"


@dataclass
class Tokens:
    username: str
    id_token: str
    access_token: str
    refresh_token: str
    expires_at: float  # epoch seconds
    identity_id: str | None = None


class TokenStore:
    """The tokens file: {"<client id>": Tokens as a dict}, written atomically and readable by its owner only."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_token_file()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read tokens from {self.path}: {exc}") from None
        return data if isinstance(data, dict) else {}

    def get(self, client_id: str) -> Tokens | None:
        entry = self._read().get(client_id)
        return Tokens(**entry) if isinstance(entry, dict) else None

    def put(self, client_id: str, tokens: Tokens | None) -> None:
        data = self._read()
        if tokens is None:
            data.pop(client_id, None)
        else:
            data[client_id] = tokens.__dict__
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, indent=1)
        tmp.replace(self.path)


def _unsigned_client(service: str, endpoints: Endpoints) -> Any:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    return boto3.client(service, region_name=endpoints.region, endpoint_url=endpoints.aws_endpoint,
                        config=Config(signature_version=UNSIGNED))  # fmt: skip


class CognitoAuth:
    """One user's session with the user pool and the identity pool, persisted in a TokenStore."""

    def __init__(
        self, endpoints: Endpoints, store: TokenStore | None = None, *, clock: Callable[[], float] = time.time
    ):
        endpoints.require("client_id")
        self.endpoints = endpoints
        self.store = store or TokenStore()
        self._clock = clock
        self._idp: Any = None
        self._identity: Any = None

    @property
    def idp(self) -> Any:
        if self._idp is None:
            self._idp = _unsigned_client("cognito-idp", self.endpoints)
        return self._idp

    @property
    def identity(self) -> Any:
        if self._identity is None:
            self._identity = _unsigned_client("cognito-identity", self.endpoints)
        return self._identity

    @property
    def tokens(self) -> Tokens:
        tokens = self.store.get(self.endpoints.client_id or "")
        if tokens is None:
            raise NotSignedIn("not signed in: run `todo login`")
        return tokens

    def login(self, username: str, password: str) -> Tokens:
        from botocore.exceptions import ClientError

        try:
            answer = self.idp.initiate_auth(ClientId=self.endpoints.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": username, "PASSWORD": password})  # fmt: skip
        except ClientError as exc:
            raise NotSignedIn(f"sign-in failed: {exc.response['Error'].get('Message') or exc}") from None
        if "AuthenticationResult" not in answer:
            raise NotSignedIn(f"sign-in needs a challenge the CLI does not answer: {answer.get('ChallengeName')}")
        result = answer["AuthenticationResult"]
        tokens = Tokens(
            username=username,
            id_token=result["IdToken"],
            access_token=result["AccessToken"],
            refresh_token=result["RefreshToken"],
            expires_at=self._clock() + result["ExpiresIn"],
        )
        self.store.put(self.endpoints.client_id or "", tokens)
        return tokens

    def logout(self) -> None:
        self.store.put(self.endpoints.client_id or "", None)

    def id_token(self, force_refresh: bool = False) -> str:
        """A current ID token, refreshed first when it is about to expire (or when asked to)."""
        tokens = self.tokens
        if force_refresh or tokens.expires_at - REFRESH_MARGIN <= self._clock():
            tokens = self.refresh(tokens)
        return tokens.id_token

    def refresh(self, tokens: Tokens) -> Tokens:
        from botocore.exceptions import ClientError

        try:
            answer = self.idp.initiate_auth(ClientId=self.endpoints.client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                            AuthParameters={"REFRESH_TOKEN": tokens.refresh_token})  # fmt: skip
        except ClientError as exc:
            raise NotSignedIn(
                f"the session has ended ({exc.response['Error'].get('Code')}): run `todo login`"
            ) from None
        result = answer["AuthenticationResult"]
        tokens.id_token = result["IdToken"]
        tokens.access_token = result["AccessToken"]
        tokens.refresh_token = result.get("RefreshToken") or tokens.refresh_token
        tokens.expires_at = self._clock() + result["ExpiresIn"]
        self.store.put(self.endpoints.client_id or "", tokens)
        return tokens

    def identity_credentials(self) -> tuple[str, dict[str, Any]]:
        """(identity id, temporary AWS credentials) of the signed-in user, from the identity pool."""
        self.endpoints.require("identity_pool_id", "user_pool_id")
        logins = {self.endpoints.user_pool_provider: self.id_token()}
        tokens = self.tokens
        if not tokens.identity_id:
            tokens.identity_id = self.identity.get_id(IdentityPoolId=self.endpoints.identity_pool_id,
                                                      Logins=logins)["IdentityId"]  # fmt: skip
            self.store.put(self.endpoints.client_id or "", tokens)
        answer = self.identity.get_credentials_for_identity(IdentityId=tokens.identity_id, Logins=logins)
        return tokens.identity_id, answer["Credentials"]
