"""Nothing heavy at import: a cold start of either todos function loads no boto3, DAX, fastjsonschema or
pydantic; each is loaded on first use. Checked in a fresh interpreter, since this one has them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.support.localcloud import ROOT

HEAVY = ("boto3", "amazondax", "fastjsonschema", "pydantic")


def test_importing_the_handlers_loads_nothing_heavy():
    code = (
        "import json, sys, todos.handlers.read, todos.handlers.write;"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("layers/shared", "services/todos/src")),
        "TABLE_NAME": "todos-test",
        "CURSOR_KEY": "k",
        "POWERTOOLS_SERVICE_NAME": "todos",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == []
