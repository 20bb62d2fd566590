"""Nothing heavy at import: a cold start of either todos function loads no boto3, DAX, fastjsonschema or
pydantic (each is loaded on first use), and beyond what a bare Powertools resolver + Logger handler
imports, nothing but their own code and the `common` package. Checked in fresh interpreters, since this
one has them all. `bench/cold_start.py` measures what this guards, on the built artifacts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.localcloud import ROOT

HEAVY = (
    "boto3",
    "amazondax",
    "fastjsonschema",
    "pydantic",
    "botocore.exceptions",  # 3 ms; the DAL imports it on the first failed call
    "ulid",  # python-ulid: 20 ms, reading its version through importlib.metadata
    "importlib.metadata",
    "ulid_transform",  # imported on the first new id
    "hmac",  # and hashlib: on the first cursor
)
HANDLERS = "todos.handlers.read, todos.handlers.write"
BASELINE = (
    "from aws_lambda_powertools import Logger\n"
    "from aws_lambda_powertools.event_handler import APIGatewayRestResolver\n"
    "Logger(); APIGatewayRestResolver()\n"
)
# What the handlers may import beyond the baseline: their own code and the shared layer's.
ALLOWED = {"todos", "common"}


def loaded_after(code: str) -> list[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "services/todos/src")),
        "TABLE_NAME": "todos-test",
        "CURSOR_KEY": "k",
        "DAX_ENDPOINT": "",
        "POWERTOOLS_SERVICE_NAME": "todos",
    }
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_importing_the_handlers_loads_nothing_heavy():
    loaded = set(loaded_after(f"import {HANDLERS}"))
    assert [m for m in HEAVY if m in loaded] == []


def test_beyond_a_bare_powertools_handler_the_handlers_import_only_todos_and_common():
    extra = set(loaded_after(f"import {HANDLERS}")) - set(loaded_after(BASELINE))
    assert {m.split(".")[0] for m in extra} - ALLOWED == set(), sorted(extra)
