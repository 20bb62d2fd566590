"""ECMA-262 regular expressions, the dialect of JSON Schema's `pattern`, run on Python's `re`.

OpenAPI and JSON Schema say a `pattern` is an ECMA-262 regular expression, and clients (JavaScript, most
validators outside Python) match it so. Python's `re` reads the same text with another meaning:

- `\\d`, `\\w` and `\\b` are ASCII in ECMA-262 but Unicode in Python (`\\d` takes "٣", U+0663).
- `\\s` is Unicode whitespace in both, but not the same set: ECMA has U+FEFF, Python has U+001C-U+001F
  and U+0085.
- `$` matches only at the end in ECMA (there are no flags in a schema), also before a final "\\n" in
  Python. `.` excludes "\\n", "\\r", U+2028 and U+2029 in ECMA, only "\\n" in Python.
- `x{,3}` is a quantifier in Python only; `a*+` is possessive in Python and an error in ECMA; `(?<n>...)`
  is ECMA's named group, `(?P<n>...)` Python's; `\\A`, `\\Z`, `(?i)` are Python syntax.

`translate` rewrites a pattern into a Python pattern with the ECMA-262 meaning, read with the `u` flag
(code points, not UTF-16 units, as JSON Schema 2020-12 recommends). What it cannot give the ECMA
meaning (backreferences, `\\p{...}`, a negated class escape inside a negated class) or what `u` mode
rejects (`\\q`, a lone `{` or `]`) raises `UnsupportedPattern`: a schema using it fails when its
validator is compiled, never matches differently in silence.
"""

from __future__ import annotations

import re

# ECMA-262 WhiteSpace and LineTerminator: TAB VT FF SP NBSP ZWNBSP, the Zs category, LF CR LS PS.
_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_DIGIT = "0-9"
_WORD = "A-Za-z0-9_"
_CLASS_ESCAPES = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
_CONTROL_ESCAPES = {"t": "\\t", "n": "\\n", "v": "\\x0b", "f": "\\x0c", "r": "\\r"}
_SYNTAX_CHARS = frozenset("^$\\.*+?()[]{}|/")
# Compiled (and cached) by `re` when a pattern is first translated, not at cold start.
_QUANTIFIER = r"\{([0-9]+)(,([0-9]*))?\}"
_GROUP_NAME = r"<([A-Za-z_$][A-Za-z0-9_$]*)>"
_HEX = r"[0-9A-Fa-f]+"


class UnsupportedPattern(ValueError):
    """The pattern is not ECMA-262 (`u` mode), or uses syntax that `re` cannot match the same way."""


def compile(pattern: str) -> re.Pattern[str]:
    """`re.compile` of the translation: `.search(text)` answers as ECMA-262's `RegExp.test(text)`."""
    translated = translate(pattern)
    try:
        return re.compile(translated)
    except re.error as exc:
        raise UnsupportedPattern(f"{pattern!r}: {exc}") from None


def translate(pattern: str) -> str:
    """The Python `re` pattern that matches exactly the strings the ECMA-262 pattern matches."""
    return _Translator(pattern).run()


class _Translator:
    def __init__(self, pattern: str):
        self.src = pattern
        self.pos = 0
        self.out: list[str] = []

    def fail(self, why: str) -> UnsupportedPattern:
        return UnsupportedPattern(f"{self.src!r} at {self.pos}: {why}")

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.src[index] if index < len(self.src) else ""

    def run(self) -> str:
        quantifiable = False
        depth = 0
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char in "*+?{":
                if not quantifiable:
                    raise self.fail(f"{char!r} has nothing to repeat (escape it to match it)")
                self.out.append(self.quantifier())
                quantifiable = False
                continue
            quantifiable = True
            if char == "\\":
                self.out.append(self.atom_escape())
            elif char == "[":
                self.out.append(self.character_class())
            elif char == "(":
                self.out.append(self.group_open())
                depth += 1
                quantifiable = False
            elif char == ")":
                if depth == 0:
                    raise self.fail("unbalanced ')'")
                depth -= 1
                self.out.append(")")
                self.pos += 1
            elif char in "|^$":
                self.out.append({"|": "|", "^": "\\A", "$": "\\Z"}[char])
                self.pos += 1
                quantifiable = False
            elif char == ".":
                self.out.append("[^\\n\\r\\u2028\\u2029]")
                self.pos += 1
            elif char in "]}":
                raise self.fail(f"a lone {char!r} must be escaped")
            else:
                self.out.append(re.escape(char))
                self.pos += 1
        if depth:
            raise self.fail("unbalanced '('")
        return "".join(self.out)

    def quantifier(self) -> str:
        char = self.src[self.pos]
        if char == "{":
            match = re.compile(_QUANTIFIER).match(self.src, self.pos)
            if not match:
                raise self.fail("'{' starts no quantifier {n}, {n,} or {n,m} (escape it to match it)")
            low, comma, high = match.group(1), match.group(2), match.group(3)
            if high and int(high) < int(low):
                raise self.fail("the quantifier's range is out of order")
            text = "{" + low + ("," + high if comma else "") + "}"
            self.pos = match.end()
        else:
            text = char
            self.pos += 1
        if self.peek() == "?":
            text += "?"
            self.pos += 1
        if self.peek() and self.peek() in "*+?{":
            raise self.fail("a quantifier cannot follow a quantifier (Python would read it as possessive)")
        return text

    def group_open(self) -> str:
        self.pos += 1
        if self.peek() != "?":
            return "("
        for ecma in ("?:", "?=", "?!", "?<=", "?<!"):
            if self.src.startswith(ecma, self.pos):
                self.pos += len(ecma)
                return "(" + ecma
        match = re.compile(_GROUP_NAME).match(self.src, self.pos + 1)
        if match:
            self.pos = match.end()
            return f"(?P<{match.group(1).replace('$', '_')}>"
        raise self.fail("'(?' starts no ECMA-262 group")

    def atom_escape(self) -> str:
        self.pos += 1
        char = self.peek()
        if not char:
            raise self.fail("the pattern ends in a backslash")
        if char in _CLASS_ESCAPES:
            self.pos += 1
            return f"[{_CLASS_ESCAPES[char]}]"
        if char.lower() in _CLASS_ESCAPES:
            self.pos += 1
            return f"[^{_CLASS_ESCAPES[char.lower()]}]"
        if char in "bB":
            self.pos += 1
            return f"(?a:\\{char})"  # ECMA's word characters are ASCII
        return self.character_escape(in_class=False)

    def character_escape(self, *, in_class: bool) -> str:
        """After a backslash: one character, as a Python escape that means exactly that character."""
        char = self.peek()
        if not char:
            raise self.fail("the pattern ends in a backslash")
        self.pos += 1
        if char in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[char]
        if char == "0" and not self.peek().isdigit():
            return "\\x00"
        if char == "c" and self.peek().isascii() and self.peek().isalpha():
            letter = self.peek()
            self.pos += 1
            return f"\\x{ord(letter) % 32:02x}"
        if char == "x":
            return _literal(self.hex_digits(2))
        if char == "u":
            return _literal(self.unicode_escape())
        if char in _SYNTAX_CHARS or (in_class and char == "-"):
            return "\\" + char
        if char.isdigit() or char == "k":
            raise self.fail("backreferences are not supported (ECMA-262 and Python differ on them)")
        if char in "pP":
            raise self.fail("\\p{...} property escapes are not supported by Python's re")
        raise self.fail(f"\\{char} is not an ECMA-262 escape (u mode); escape only syntax characters")

    def hex_digits(self, count: int) -> int:
        digits = self.src[self.pos : self.pos + count]
        if len(digits) != count or not re.fullmatch(_HEX, digits):
            raise self.fail(f"expected {count} hex digits")
        self.pos += count
        return int(digits, 16)

    def unicode_escape(self) -> int:
        if self.peek() == "{":
            end = self.src.find("}", self.pos)
            digits = self.src[self.pos + 1 : end] if end > 0 else ""
            if not re.fullmatch(_HEX, digits) or int(digits, 16) > 0x10FFFF:
                raise self.fail("\\u{...} needs a code point in hex, at most 10FFFF")
            self.pos = end + 1
            return int(digits, 16)
        code = self.hex_digits(4)
        if 0xD800 <= code < 0xDC00 and self.src.startswith("\\u", self.pos):
            saved = self.pos
            self.pos += 2
            low = self.hex_digits(4) if re.fullmatch(_HEX, self.src[self.pos : self.pos + 4]) else -1
            if 0xDC00 <= low < 0xE000:  # a surrogate pair is one code point in u mode
                return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            self.pos = saved
        return code

    def character_class(self) -> str:
        """`[...]` → a Python class; a `\\D`, `\\W` or `\\S` inside becomes an alternative beside it."""
        self.pos += 1
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        members: list[str] = []
        complements: list[str] = []
        while True:
            char = self.peek()
            if not char:
                raise self.fail("unterminated character class")
            if char == "]":
                self.pos += 1
                break
            start, start_is_set = self.class_atom(members, complements)
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.pos += 1
                end, end_is_set = self.class_atom(members, complements)
                if start_is_set or end_is_set:
                    raise self.fail("a class escape cannot bound a range")
                if _code_of(start) > _code_of(end):
                    raise self.fail("the class range is out of order")
                members.append(f"{start}-{end}")
            elif not start_is_set:
                members.append(start)
        return _class_text(members, complements, negated, self.fail)

    def class_atom(self, members: list[str], complements: list[str]) -> tuple[str, bool]:
        """One class member: (its text, True when it was a class escape and was added as a set)."""
        char = self.src[self.pos]
        if char != "\\":
            self.pos += 1
            return _class_literal(char), False
        escaped = self.peek(1)
        if escaped in _CLASS_ESCAPES or escaped.lower() in _CLASS_ESCAPES:
            self.pos += 2
            if escaped in _CLASS_ESCAPES:
                members.append(_CLASS_ESCAPES[escaped])
            else:
                complements.append(_CLASS_ESCAPES[escaped.lower()])
            return "", True
        self.pos += 1
        if escaped == "b":  # backspace inside a class
            self.pos += 1
            return "\\x08", False
        return self.character_escape(in_class=True), False


def _literal(code: int) -> str:
    return f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}"


def _class_literal(char: str) -> str:
    """A character inside a Python class, escaped when Python would read it as syntax (or warn), and `$`,
    which fastjsonschema would otherwise rewrite to `\\Z` even inside a class."""
    return "\\" + char if char in "\\]^-[&~|$" else char


def _code_of(text: str) -> int:
    """The code point of one translated class atom (a character or a Python escape for one)."""
    if len(text) == 1:
        return ord(text)
    if text[1] in "xuU":
        return int(text[2:], 16)
    return ord({"t": "\t", "n": "\n", "r": "\r"}.get(text[1], text[1]))


def _class_text(members: list[str], complements: list[str], negated: bool, fail) -> str:
    positive = f"[{''.join(members)}]" if members else ""
    alternatives = [positive] if positive else []
    alternatives += [f"[^{c}]" for c in complements]
    if not alternatives:
        return "(?s:.)" if negated else "(?!)"  # ECMA: [^] is any character, [] is none
    if not negated:
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    if complements:
        raise fail("\\D, \\W or \\S inside a negated class is not supported; spell the set out")
    return f"[^{''.join(members)}]"
