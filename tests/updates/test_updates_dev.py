"""`make dev` runs the demo origin where the root's `local` parameters point the updates CDN, and
`make deploy SERVICE=updates` takes the origin through PARAMS (it has no default)."""

from __future__ import annotations

import re
import shlex

from localcloud.template import samconfig_parameters
from tests.support.localcloud import ROOT
from tests.tooling.make_dry_run import parse_sam_line, run_make


def _origin_command() -> list[str]:
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("UPDATES_ORIGIN :="))
    return shlex.split(line.split(":=", 1)[1])


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_demo_origin_listens_where_the_local_parameters_point():
    local = samconfig_parameters(ROOT, "local")
    command = _origin_command()
    assert "services/updates/demo/origin.py" in command
    assert local["UpdatesOriginDomainName"] == "127.0.0.1"
    assert local["UpdatesOriginProtocolPolicy"] == "http-only"
    assert local["UpdatesOriginHttpPort"] == _option(command, "--port")
    assert local["UpdatesOriginSecret"] == _option(command, "--secret")


def _dry_run(*args: str) -> str:
    result = run_make("-n", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_dev_starts_the_demo_origin_beside_localcloud():
    recipe = _dry_run("dev")
    assert re.search(r"services/updates/demo/origin\.py .*& origin=\$!; trap .*localcloud up", recipe, re.DOTALL)


def test_make_deploy_passes_the_origin_parameters():
    recipe = _dry_run("deploy", "SERVICE=updates", "ENV=prod", "PARAMS=OriginDomainName=lb.example.com")
    (call,) = [call for line in recipe.splitlines() if (call := parse_sam_line(line))]
    assert call.one("--stack-name") == "platform-prod-updates"
    assert call.pairs("--parameter-overrides") == {
        "AppName": "platform",
        "EnvName": "prod",
        "OriginDomainName": "lb.example.com",
    }
