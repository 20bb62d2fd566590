"""What both commands share: where the endpoints and tokens come from, and how failures are reported.

Exit codes: 0 done, 1 the API refused (its message and code are printed), 2 bad usage or configuration,
3 not signed in.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from platform_client.auth import CognitoAuth, TokenStore
from platform_client.endpoints import Endpoints, discover
from platform_client.errors import ApiError, ClientError, ConfigError, NotSignedIn


def parser(prog: str, description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=description)
    where = p.add_argument_group("where (default: the nearest .localcloud/endpoints.json, i.e. `make dev`)")
    where.add_argument("--endpoints", metavar="FILE", help="an endpoints file (also $PLATFORM_ENDPOINTS)")
    where.add_argument("--ssm-env", metavar="ENV", help="read the endpoints from SSM, /<app>/ENV/... (on AWS)")
    where.add_argument("--app", default="platform", help="the app name in the SSM paths (default: platform)")
    where.add_argument("--region", default=None, help="the region for --ssm-env (default: boto3's)")
    p.add_argument("--config", metavar="FILE", type=Path, help="the tokens file (also $PLATFORM_CLIENT_CONFIG)")
    return p


def output() -> argparse.ArgumentParser:
    """The options every subcommand takes after its name (`todo ls --json`)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", action="store_true", help="print the API's JSON instead of lines")
    return p


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
