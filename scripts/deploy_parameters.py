"""Print the `sam deploy --parameter-overrides` of one template in one env, for `make deploy`.

A service deployed alone reads its inputs from SSM parameters, and a CloudFormation default is a literal:
`UserPoolArnParameter` defaults to `/platform/dev/identity/UserPoolArn`, so a prod deploy that only set
`EnvName=prod` would still wire itself to dev. This prints `AppName`, `EnvName` and every SSM-typed input
with its `/<app>/<env>/...` name moved to the target env: one rule for every service and env, and a
template whose SSM default breaks the naming rule fails here instead of deploying half-wired.

Usage: deploy_parameters.py TEMPLATE APP ENV   (prints `Key=Value ...`; exits 1 with one line on error)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

SSM_TYPE = "AWS::SSM::Parameter::Value<"
# The root template's AllowedPattern for EnvName: stack and SSM names are built from it.
ENV_NAME = re.compile(r"[a-z][a-z0-9-]{1,15}")


class _TagTolerantLoader(yaml.SafeLoader):
    """Reads CloudFormation short-form tags (`!Ref`, `!Sub`...) as nulls: only literal defaults matter."""


_TagTolerantLoader.add_multi_constructor("!", lambda _loader, _suffix, _node: None)


def overrides(template: dict, app: str, env: str) -> dict[str, str]:
    if not ENV_NAME.fullmatch(env):
        raise ValueError(f"ENV={env!r} is not an env name (lower case, 2-16 characters: dev, prod, staging-2)")
    parameters = template.get("Parameters") or {}
    missing = {"AppName", "EnvName"} - set(parameters)
    if missing:
        raise ValueError(f"the template has no {' or '.join(sorted(missing))} parameter")
    out = {"AppName": app, "EnvName": env}
    for name, spec in parameters.items():
        if not str(spec.get("Type", "")).startswith(SSM_TYPE):
            continue
        default = str(spec.get("Default", ""))
        parts = default.split("/", 3)  # "", app, env, service/name
        if len(parts) < 4 or parts[0] or parts[1] != app:
            raise ValueError(f"{name} defaults to {default!r}, not an SSM name /{app}/<env>/<service>/<name>")
        out[name] = f"/{app}/{env}/{parts[3]}"
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path, app, env = argv
    try:
        template = yaml.load(Path(path).read_text(), Loader=_TagTolerantLoader)  # noqa: S506 - SafeLoader subclass
        pairs = overrides(template, app, env)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        print(f"deploy: {path}: {exc}", file=sys.stderr)
        return 1
    print(" ".join(f"{key}={value}" for key, value in pairs.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
