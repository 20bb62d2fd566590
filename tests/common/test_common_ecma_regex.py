"""common.ecma_regex: a JSON Schema `pattern` matches as ECMA-262 says, not as Python's `re` would.

Each row of CASES is (pattern, text, what ECMA-262 answers). Rows marked `differs` are ones where plain
`re.search` answers the other way: they are the reason the translation exists. Where Node.js is installed,
a real ECMA-262 engine checks every row's expectation too.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from common import ecma_regex
from common.ecma_regex import UnsupportedPattern

DIFFERS = "differs"

CASES = [
    # $ is the end of the text, never "before a final newline"
    (r"^[0-9]{4}$", "2025\n", False, DIFFERS),
    (r"^a$", "a", True, ""),
    (r"^\d{4}-\d{2}-\d{2}$", "2025-01-05\n", False, DIFFERS),
    # \d and \w are ASCII
    (r"^\d+$", "\u0663", False, DIFFERS),  # ARABIC-INDIC DIGIT THREE
    (r"^\d+$", "\uff15", False, DIFFERS),  # FULLWIDTH DIGIT FIVE
    (r"^\d+$", "123", True, ""),
    (r"^\w+$", "caf\u00e9", False, DIFFERS),
    (r"^\w+$", "Az_09", True, ""),
    (r"^\W$", "\u00e9", True, DIFFERS),
    (r"^\D$", "\u0663", True, DIFFERS),
    (r"\bx", "\u00e9x", True, DIFFERS),  # é is no word character, so a boundary precedes x
    # \s is ECMA's whitespace set, not Python's
    (r"\S", "\ufeff", False, DIFFERS),  # ZWNBSP is whitespace in ECMA only
    (r"\S", "\x1c", True, DIFFERS),  # FILE SEPARATOR is whitespace in Python only
    (r"\S", "\x85", True, DIFFERS),  # NEXT LINE, likewise
    (r"\S", "\u00a0\u3000\u2028 \t", False, ""),
    (r"^\s$", "\u180e", False, ""),  # left the Zs category in Unicode 6.3
    (r"[\s]", "\ufeff", True, DIFFERS),
    # . stops at every line terminator
    (r"^a.b$", "a\rb", False, DIFFERS),
    (r"^a.b$", "a\u2028b", False, DIFFERS),
    (r"^a.b$", "a\U0001f600b", True, ""),  # u mode: one code point
    # classes
    (r"^[\s\S]+$", "a\nb", True, ""),
    (r"^[^]$", "\n", True, ""),
    (r"[]", "a", False, ""),
    (r"^[\d_]+$", "\u0663", False, DIFFERS),
    (r"^[^\d]$", "\u0663", True, DIFFERS),
    (r"^[\b]$", "\x08", True, ""),
    (r"^[a\-z]$", "-", True, ""),
    (r"^[-a]$", "-", True, ""),
    (r"^[a-]$", "-", True, ""),
    (r"^[&&]$", "&", True, ""),
    (r"^[\]]$", "]", True, ""),
    # escapes
    (r"^\u00e9$", "\u00e9", True, ""),
    (r"^\u{1F600}$", "\U0001f600", True, ""),
    (r"^\uD83D\uDE00$", "\U0001f600", True, ""),
    (r"^\x41\cJ$", "A\n", True, ""),
    (r"^\0$", "\x00", True, ""),
    (r"^\/\.\*$", "/.*", True, ""),
    (r"^\v\f$", "\x0b\x0c", True, ""),
    # groups and quantifiers
    (r"^(?<year>[0-9]{4})-(?:[0-9]{2})$", "2025-01", True, ""),
    (r"^a{2,3}?$", "aaa", True, ""),
    (r"^(?=a)[a-z]+(?!x)$", "abc", True, ""),
    (r"(?<=\$)[0-9]+", "$42", True, ""),
    (r"^[$]+$", "$$", True, ""),
    (r"^(a|b)+$", "abba", True, ""),
    # unanchored, as JSON Schema means it
    (r"[0-9]", "abc1", True, ""),
    # the todos API's own patterns
    ("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", "01ARZ3NDEKTSV4RRFFQ69G5FAV\n", False, DIFFERS),
    ('^"[1-9][0-9]*"$', '"3"\n', False, DIFFERS),
]


@pytest.mark.parametrize(("pattern", "text", "ecma", "differs"), CASES)
def test_patterns_match_as_ecma_262(pattern, text, ecma, differs):
    assert bool(ecma_regex.compile(pattern).search(text)) is ecma
    if differs:
        assert bool(re.search(pattern, text)) is not ecma, "this row no longer shows a difference"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_expectations_are_what_a_javascript_engine_answers():
    script = (
        "const rows = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(rows.map(([p, t]) => new RegExp(p, 'u').test(t))));"
    )
    rows = [[pattern, text] for pattern, text, _ecma, _differs in CASES]
    out = subprocess.run(["node", "-e", script], input=json.dumps(rows), capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    answers = json.loads(out.stdout)
    wrong = [(p, t, a) for (p, t, ecma, _), a in zip(CASES, answers, strict=True) if a is not ecma]
    assert wrong == []


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a)\1",  # backreferences
        r"(?<n>a)\k<n>",
        r"\p{L}",  # property escapes
        r"a{,3}",  # a quantifier in Python, an error in u mode
        r"{1}",
        r"a**",
        r"a*+",  # possessive in Python
        r"\q",  # identity escapes of letters
        r"\A",
        r"\Z",
        r"(?i)a",  # Python's inline flags
        r"(?P<n>a)",  # Python's named group
        r"(?#comment)",
        r"]",
        r"}",
        r"(a",
        r"a)",
        r"[a",
        r"[\d-z]",
        r"[z-a]",
        r"x{3,2}",
        r"[^\S]",
        "a\\",
        r"\u{110000}",
        r"\xZZ",
        r"(?<=a+)b",  # variable-width lookbehind: ECMA has it, Python's re does not
    ],
)
def test_what_cannot_match_the_same_is_refused(pattern):
    with pytest.raises(UnsupportedPattern):
        ecma_regex.compile(pattern)


def test_translations_are_plain_python_patterns_with_no_bare_dollar():
    """fastjsonschema rewrites every unescaped `$` to `\\Z`, even inside a class."""
    assert ecma_regex.translate(r"^\d{4}$") == r"\A[0-9]{4}\Z"
    assert ecma_regex.translate(r"^[$]\$$") == r"\A[\$]\$\Z"
