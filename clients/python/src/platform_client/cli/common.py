"""What both commands share: where the endpoints and tokens come from, and how failures are reported.

Exit codes: 0 done, 1 the API refused (its message and code are printed), 2 bad usage or configuration,
3 not signed in.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import requests
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError as BotoClientError

from platform_client.auth import CognitoAuth, TokenStore
from platform_client.endpoints import Endpoints, discover
from platform_client.errors import ApiError, ClientError, ConfigError, NotSignedIn


def _where(p: argparse.ArgumentParser, defaults: dict[str, object]) -> None:
    def given(name: str) -> object:
        return defaults.get(name, argparse.SUPPRESS)

    where = p.add_argument_group("where (default: the nearest .localcloud/endpoints.json, i.e. `make dev`)")
    where.add_argument("--endpoints", metavar="FILE", default=given("endpoints"),
                       help="an endpoints file (also $PLATFORM_ENDPOINTS)")  # fmt: skip
    where.add_argument("--ssm-env", metavar="ENV", default=given("ssm_env"),
                       help="read the endpoints from SSM, /<app>/ENV/... (on AWS)")  # fmt: skip
    where.add_argument("--app", default=given("app"), help="the app name in the SSM paths (default: platform)")
    where.add_argument("--region", default=given("region"), help="the region for --ssm-env (default: boto3's)")
    where.add_argument("--config", metavar="FILE", type=Path, default=given("config"),
                       help="the tokens file (also $PLATFORM_CLIENT_CONFIG)")  # fmt: skip


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description)
    _where(p, {"endpoints": None, "ssm_env": None, "app": "platform", "region": None, "config": None})
    return p


def output() -> argparse.ArgumentParser:
    """The options every subcommand takes after its name too (`todo ls --json --endpoints FILE`); given
    there, they win over the same ones given before it."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print the API's JSON instead of lines")
    _where(p, {})
    return p


PASSWORD_VAR = "PLATFORM_PASSWORD"  # noqa: S105 (the name of the variable, not a password)


def add_session_commands(sub: Any, out: argparse.ArgumentParser) -> None:
    """`login USERNAME` and `logout`: one user pool serves both products, so both commands share the tokens."""
    login = sub.add_parser("login", parents=[out], help="sign in and keep the tokens")
    login.add_argument("username", help="the email you signed up with")
    login.add_argument(
        "--password-stdin", action="store_true", help=f"read the password from stdin (or ${PASSWORD_VAR})"
    )
    sub.add_parser("logout", parents=[out], help="forget the tokens")


def session_command(args: argparse.Namespace, auth: CognitoAuth) -> bool:
    """Run `login` or `logout` if that is the command; False for any other."""
    if args.command == "login":
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = os.environ.get(PASSWORD_VAR) or getpass.getpass(f"password for {args.username}: ")
        auth.login(args.username, password)
        print(f"signed in as {args.username}")
        return True
    if args.command == "logout":
        auth.logout()
        return True
    return False


def endpoints(args: argparse.Namespace) -> Endpoints:
    if args.ssm_env:
        import boto3

        region = args.region or boto3.session.Session().region_name
        if not region:
            raise ConfigError("--ssm-env needs a region: --region or AWS_REGION")
        return Endpoints.from_ssm(args.app, args.ssm_env, region)
    return discover(args.endpoints)


def auth(args: argparse.Namespace, where: Endpoints) -> CognitoAuth:
    return CognitoAuth(where, TokenStore(args.config) if args.config else None)


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def run(
    main: Callable[[argparse.Namespace], int | None], p: argparse.ArgumentParser, argv: Sequence[str] | None
) -> int:
    args = p.parse_args(argv)
    try:
        return main(args) or 0
    except NotSignedIn as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 3
    except ApiError as exc:
        print(f"{p.prog}: {exc.message} ({exc.status} {exc.code})", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 2
    except ClientError as exc:
        print(f"{p.prog}: {exc}", file=sys.stderr)
        return 1
    except requests.RequestException as exc:
        print(f"{p.prog}: cannot reach the API ({type(exc).__name__}): is `make dev` running?", file=sys.stderr)
        return 1
    except (BotoCoreError, BotoClientError) as exc:
        print(f"{p.prog}: AWS refused: {exc}", file=sys.stderr)
        return 1
