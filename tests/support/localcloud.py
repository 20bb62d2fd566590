"""The one way tests use localcloud: a real `python -m localcloud up` process on the real root template,
started once per session and driven over HTTP like any client (endpoints.json + the control API)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import requests

ROOT = Path(__file__).resolve().parents[2]
FAKE_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
DEMO_PASSWORD = "Correct-Horse-42"  # satisfies the pool's password policy


class LocalCloudProcess:
    """A running localcloud: its endpoints, its control API, and helpers to sign users in."""

    def __init__(self, template: Path, state_dir: Path, log_path: Path, extra: tuple[str, ...] = ()):
        self.template = template
        self.extra = extra
        self.state_dir = state_dir
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.endpoints: dict[str, Any] = {}
        self.http = requests.Session()
        self._tokens: dict[str, dict] = {}

    def start(self, timeout: float = 90, *, quiet: bool = True) -> LocalCloudProcess:
        """Start and wait for endpoints.json; `quiet=False` keeps the terminal lines in the log file."""
        endpoints_file = self.state_dir / "endpoints.json"
        endpoints_file.unlink(missing_ok=True)
        env = {**os.environ, **FAKE_ENV}
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "localcloud", "up", "--template", str(self.template),
             "--state-dir", str(self.state_dir), "--port", "0", "--aws-port", "0", "--cdn-port", "0",
             *(["--quiet"] if quiet else []), *self.extra],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not endpoints_file.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"localcloud exited with {self.proc.returncode}:\n{self.log_path.read_text()[-4000:]}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"localcloud not ready after {timeout}s:\n{self.log_path.read_text()[-4000:]}")
            time.sleep(0.1)
        self.endpoints = json.loads(endpoints_file.read_text())
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()

    # control ------------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.endpoints["console"].removesuffix("/_local")

    def control(self, action: str, **body: Any) -> Any:
        response = self.http.post(f"{self.base}/_local/control/{action}", json=body, timeout=120)
        response.raise_for_status()
        return response.json()

    def wait_idle(self, timeout: float = 15) -> bool:
        return self.control("wait-idle", timeout=timeout)["idle"]

    def reset(self) -> None:
        self.control("reset", users=True)
        self._tokens.clear()

    def invoke(self, function: str, event: Any) -> dict:
        return self.control("invoke", function=function, event=event)

    # clients ------------------------------------------------------------------------------------
    def aws(self, service: str, **credentials: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoints["aws"],
            region_name=self.endpoints["region"],
            aws_access_key_id=credentials.get("AccessKeyId", "testing"),
            aws_secret_access_key=credentials.get("SecretKey", "testing"),
            aws_session_token=credentials.get("SessionToken"),
        )

    def api_url(self, address: str) -> str:
        return self.endpoints["apis"][address]

    def tokens(self, user: str) -> dict:
        """Sign `user` up in the app's user pool (once per reset) and return its Cognito tokens."""
        if user not in self._tokens:
            cognito = self.endpoints["cognito"]
            idp = self.aws("cognito-idp")
            email = f"{user}@example.com"
            idp.sign_up(ClientId=cognito["clientId"], Username=email, Password=DEMO_PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": email}])  # fmt: skip
            idp.admin_confirm_sign_up(UserPoolId=cognito["userPoolId"], Username=email)
            auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH",
                                     AuthParameters={"USERNAME": email, "PASSWORD": DEMO_PASSWORD})  # fmt: skip
            self._tokens[user] = auth["AuthenticationResult"]
        return self._tokens[user]

    def admin_token(self, user: str) -> str:
        """An ID token of `user` made a member of `admins`, so routes that only admins may call are reached too."""
        self.tokens(user)
        cognito, idp = self.endpoints["cognito"], self.aws("cognito-idp")
        email = f"{user}@example.com"
        idp.admin_add_user_to_group(UserPoolId=cognito["userPoolId"], Username=email, GroupName="admins")
        login = {"USERNAME": email, "PASSWORD": DEMO_PASSWORD}
        auth = idp.initiate_auth(ClientId=cognito["clientId"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters=login)
        return auth["AuthenticationResult"]["IdToken"]

    def identity_credentials(self, user: str) -> tuple[str, dict]:
        """The identity-pool identity id and temporary credentials of `user` (signed in first)."""
        cognito = self.endpoints["cognito"]
        provider = f"cognito-idp.{self.endpoints['region']}.amazonaws.com/{cognito['userPoolId']}"
        logins = {provider: self.tokens(user)["IdToken"]}
        identity = self.aws("cognito-identity")
        identity_id = identity.get_id(IdentityPoolId=cognito["identityPoolId"], Logins=logins)["IdentityId"]
        creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
        return identity_id, creds


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def localcloud_on(tmp_path_factory, template: Path, name: str) -> Iterator[LocalCloudProcess]:
    """Yield a localcloud started on `template` in a fresh state directory `name`, and stop it after.

    Feature tests each run on their own small template; their module fixtures share this start-up with
    `yield from localcloud_on(...)` so that each starts and stops its localcloud in the same way.
    """
    state = tmp_path_factory.mktemp(name)
    process = LocalCloudProcess(template, state, state / "log.txt").start()
    try:
        yield process
    finally:
        process.stop()
