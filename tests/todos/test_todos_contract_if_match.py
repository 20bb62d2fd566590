"""The If-Match pattern in openapi.yaml accepts exactly what the API accepts, read as ECMA-262 reads it.

A client, a gateway validator or schemathesis reads the published pattern with JavaScript's regex
semantics; the API decides with `common.http.parse_if_match`. Both must draw the same line, so the
pattern runs here in node's own RegExp engine against the parser, case by case.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from common.errors import BadRequest
from common.http import IF_MATCH_PATTERN, parse_if_match

from tests.todos import contract

ACCEPTED = ["3", '"3"', 'W/"3"', "*", "0", "03", '"03"', "1" * 18, f'W/"{"9" * 18}"']
REJECTED = [
    *["", " ", "abc", '""', '"3', '3"', "W/3", 'w/"3"', 'W/ "3"', "W/*", "W/", "**"],
    *["-1", "+1", "3.0", "1e3", "0x1", "1" * 19, f'"{"1" * 19}"'],
    *["\uff13", "\u0663", '"\uff13"', "3\u0663"],  # digits that are not ASCII
    *[" 3", "3 ", '\t"3"', "3\n", "\n3", "\u00a03", "3\u2003", "\ufeff3"],  # whitespace, ASCII or not
    *['"1", "2"', '*, "3"', '"3",'],  # lists of tags: the API takes one version
]
WRITES = [("PUT", "/todos/{todoId}"), ("PATCH", "/todos/{todoId}"), ("DELETE", "/todos/{todoId}")]
_NODE_MATCH = (
    "const {pattern, values} = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    "const re = new RegExp(pattern);"
    "process.stdout.write(JSON.stringify(values.map((v) => re.test(v))));"
)


def api_accepts(value: str) -> bool:
    try:
        parse_if_match(value)
    except BadRequest:
        return False
    return True


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_every_write_publishes_the_pattern_the_code_uses(method, path):
    schema = contract.parameter(method, path, "If-Match")["schema"]
    assert schema == {"type": "string", "pattern": IF_MATCH_PATTERN}


def test_the_pattern_is_anchored_and_free_of_unicode_sensitive_classes():
    assert IF_MATCH_PATTERN.startswith("^") and IF_MATCH_PATTERN.endswith("$")
    for escape in (r"\d", r"\s", r"\w", r"\b", "."):
        assert escape not in IF_MATCH_PATTERN.replace(r"\*", ""), escape


@pytest.mark.parametrize("value", ACCEPTED)
def test_the_api_accepts_each_published_form(value):
    assert api_accepts(value)


@pytest.mark.parametrize("value", REJECTED)
def test_the_api_rejects_every_other_value(value):
    assert not api_accepts(value)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node for JavaScript's own RegExp engine")
def test_the_published_pattern_read_as_ecma_262_agrees_with_the_api_on_every_case():
    values = ACCEPTED + REJECTED
    result = subprocess.run(
        ["node", "-e", _NODE_MATCH],
        input=json.dumps({"pattern": IF_MATCH_PATTERN, "values": values}),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    ecma = dict(zip(values, json.loads(result.stdout), strict=True))
    disagreements = {value: (ecma[value], api_accepts(value)) for value in values if ecma[value] != api_accepts(value)}
    assert not disagreements, f"value: (pattern accepts, API accepts) {disagreements}"
