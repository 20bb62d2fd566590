"""The Idempotency-Key contract: what parse_key accepts is what both OpenAPI files publish, and reading
never pays for Powertools' idempotency package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from common.errors import BadRequest
from common.idempotency import KEY_PATTERN, parse_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", ["todos", "blog"])
def test_both_apis_publish_the_pattern_the_code_enforces(service):
    spec = yaml.safe_load((ROOT / "services" / service / "openapi.yaml").read_text())
    assert spec["components"]["parameters"]["IdempotencyKey"]["schema"]["pattern"] == KEY_PATTERN


@pytest.mark.parametrize("key", ["a", "8e03978e-40d5-43e8-bc93-6894a57f9324", "01J0ABC.x:y_z", "k" * 128])
def test_keys_in_the_pattern_are_taken_as_they_are(key):
    assert parse_key(key) == key


@pytest.mark.parametrize("key", ["", "k" * 129, "a b", "a\n", "ключ", '"quoted"', "a/b"])
def test_keys_outside_it_are_400(key):
    with pytest.raises(BadRequest) as raised:
        parse_key(key)
    assert raised.value.code == "InvalidIdempotencyKey"


def test_no_header_means_no_key():
    assert parse_key(None) is None


@pytest.mark.parametrize(
    "module", ["todos.handlers.read", "blog.handlers.read", "todos.handlers.write", "blog.handlers.write"]
)
def test_no_handler_imports_the_idempotency_package_at_cold_start(module):
    """Reads never load it; writes load it on their first keyed create only."""
    env = {**os.environ, "TABLE_NAME": "t", "CURSOR_KEY": "k", "AWS_DEFAULT_REGION": "us-east-1"}
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "services" / module.split(".")[0] / "src"), str(ROOT / "layers" / "shared")]
    )
    code = f"import sys, {module}; print('aws_lambda_powertools.utilities.idempotency' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
