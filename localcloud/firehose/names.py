"""Where Firehose puts an object: prefixes with `!{namespace:value}` expressions, and the object name.

The rules are the Firehose developer guide's ("Custom prefixes for Amazon S3 objects"):

- `!{timestamp:PATTERN}` is a Java DateTimeFormatter pattern (text in single quotes is literal), evaluated
  at the approximate arrival time of the oldest record in the object; every instance in one prefix is
  the same instant. UTC unless the stream sets CustomTimeZone.
- `!{firehose:random-string}` is 11 random characters, a new one per instance;
  `!{firehose:error-output-type}` is why the records failed (`processing-failed` here), only in
  ErrorOutputPrefix.
- A Prefix without a timestamp expression gets `!{timestamp:yyyy/MM/dd/HH/}` appended, so no Prefix
  at all means `YYYY/MM/DD/HH/`.
- ErrorOutputPrefix may be left out only when Prefix holds no expression; failed records then go under
  `<Prefix><error-output-type>/YYYY/MM/DD/HH/`. An ErrorOutputPrefix with expressions must use
  `!{firehose:error-output-type}`; Prefix must not. `!{` appears only in expressions, and an
  evaluated prefix is at most 512 characters.

The object name is `<evaluated prefix><stream name>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`,
with the same instant as the prefix. Violations raise `PrefixError`, as CreateDeliveryStream refuses
them on AWS.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

DEFAULT_TIMESTAMP = "!{timestamp:yyyy/MM/dd/HH/}"
ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}"
PROCESSING_FAILED = "processing-failed"
MAX_PREFIX = 512
_EXPRESSION = re.compile(r"!\{([^:{}]*):([^{}]*)\}")
_FIREHOSE_VALUES = ("random-string", "error-output-type")
_NOT_EMULATED = ("partitionKeyFromQuery", "partitionKeyFromLambda")
_SAMPLE = datetime(2026, 12, 31, 23, 59, 59, 999999)


class PrefixError(ValueError):
    """A Prefix or ErrorOutputPrefix that Firehose would refuse; the message names the rule."""


def expressions(prefix: str) -> list[tuple[str, str]]:
    """The (namespace, value) pairs in a prefix; raises PrefixError for a stray `!{` or unknown one."""
    found = [(m.group(1), m.group(2)) for m in _EXPRESSION.finditer(prefix)]
    if prefix.count("!{") != len(found):
        raise PrefixError(f"{prefix!r}: the sequence !{{ can only appear in !{{namespace:value}} expressions")
    for namespace, value in found:
        if namespace in _NOT_EMULATED:
            raise PrefixError(f"{prefix!r}: !{{{namespace}:...}} needs dynamic partitioning, which is not emulated")
        if namespace == "firehose" and value not in _FIREHOSE_VALUES:
            raise PrefixError(f"{prefix!r}: the firehose namespace has random-string and error-output-type only")
        if namespace not in ("firehose", "timestamp"):
            raise PrefixError(f"{prefix!r}: unknown namespace {namespace!r} (timestamp or firehose)")
        if namespace == "timestamp":
            java_format(value, _SAMPLE)
    return found


def data_prefix(prefix: str | None) -> str:
    """The Prefix as Firehose evaluates it: with the default timestamp appended when it has none."""
    prefix = prefix or ""
    if not any(namespace == "timestamp" for namespace, _ in expressions(prefix)):
        prefix += DEFAULT_TIMESTAMP
    return prefix


def error_prefix(prefix: str | None, error_output_prefix: str | None) -> str:
    """The ErrorOutputPrefix as Firehose evaluates it (its default when absent)."""
    if error_output_prefix:
        return error_output_prefix
    return f"{prefix or ''}{ERROR_OUTPUT_TYPE}/{DEFAULT_TIMESTAMP}"


def check(prefix: str | None, error_output_prefix: str | None) -> None:
    """Raise PrefixError when CreateDeliveryStream would refuse this pair of prefixes."""
    in_prefix = expressions(prefix or "")
    if ("firehose", "error-output-type") in in_prefix:
        raise PrefixError(f"Prefix {prefix!r} can't contain {ERROR_OUTPUT_TYPE}")
    in_errors = expressions(error_output_prefix or "")
    if in_prefix and not error_output_prefix:
        raise PrefixError(f"ErrorOutputPrefix can't be null when Prefix contains expressions ({prefix!r})")
    if in_errors and ("firehose", "error-output-type") not in in_errors:
        raise PrefixError(f"ErrorOutputPrefix {error_output_prefix!r} must include {ERROR_OUTPUT_TYPE}")
    for template in (data_prefix(prefix), error_prefix(prefix, error_output_prefix)):
        if len(evaluate(template, _SAMPLE, error_type=PROCESSING_FAILED)) > MAX_PREFIX:
            raise PrefixError(f"{template!r} is longer than {MAX_PREFIX} characters once evaluated")


def evaluate(template: str, instant: datetime, *, error_type: str | None = None) -> str:
    """A prefix with its expressions replaced: timestamps at `instant`, random strings fresh each time."""

    def replace(match: re.Match) -> str:
        namespace, value = match.group(1), match.group(2)
        if namespace == "timestamp":
            return java_format(value, instant)
        if value == "random-string":
            return str(uuid.uuid4())[:11]
        if error_type is None:
            raise PrefixError(f"{template!r}: {ERROR_OUTPUT_TYPE} is for ErrorOutputPrefix only")
        return error_type

    return _EXPRESSION.sub(replace, template)


def object_key(prefix: str, stream: str, version: str, instant: datetime, extension: str = "") -> str:
    """`<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`."""
    return f"{prefix}{stream}-{version}-{instant:%Y-%m-%d-%H-%M-%S}-{uuid.uuid4()}{extension}"


# Java DateTimeFormatter, the letters a prefix can sensibly use ---------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")  # fmt: skip
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def java_format(pattern: str, when: datetime) -> str:
    """`when` formatted by a DateTimeFormatter pattern: letters are fields, 'quoted' text is literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "'":
            i = _quoted(pattern, i, out)
            continue
        if char.isascii() and char.isalpha():
            end = i
            while end < len(pattern) and pattern[end] == char:
                end += 1
            out.append(_field(char, end - i, when, pattern))
            i = end
            continue
        if char in "[]{}#":
            raise PrefixError(f"timestamp pattern {pattern!r}: {char!r} is reserved; quote it")
        out.append(char)
        i += 1
    return "".join(out)


def _quoted(pattern: str, start: int, out: list[str]) -> int:
    """Copy quoted text (with '' as a quote) to `out`; returns the index after the closing quote."""
    if pattern.startswith("''", start):
        out.append("'")
        return start + 2
    i = start + 1
    while i < len(pattern):
        if pattern[i] == "'":
            if pattern.startswith("''", i):
                out.append("'")
                i += 2
                continue
            return i + 1
        out.append(pattern[i])
        i += 1
    raise PrefixError(f"timestamp pattern {pattern!r}: a quote is not closed")


def _field(letter: str, count: int, when: datetime, pattern: str) -> str:
    if letter in "yuY":
        year = when.isocalendar().year if letter == "Y" else when.year
        return f"{year % 100:02d}" if count == 2 else str(year).zfill(count)
    if letter in "ML":
        if count >= 4:
            return _MONTH_NAMES[when.month - 1]
        return _MONTHS[when.month - 1] if count == 3 else str(when.month).zfill(count)
    if letter == "E":
        return _DAYS[when.weekday()] if count >= 4 else _DAYS[when.weekday()][:3]
    if letter == "a":
        return "AM" if when.hour < 12 else "PM"
    if letter == "S":
        return f"{when.microsecond:06d}"[:count].ljust(count, "0")
    numbers = {
        "d": when.day,
        "D": when.timetuple().tm_yday,
        "H": when.hour,
        "h": (when.hour % 12) or 12,
        "K": when.hour % 12,
        "k": when.hour or 24,
        "m": when.minute,
        "s": when.second,
        "w": when.isocalendar().week,
    }
    if letter not in numbers:
        raise PrefixError(f"timestamp pattern {pattern!r}: the letter {letter!r} is not supported locally")
    return str(numbers[letter]).zfill(count)
