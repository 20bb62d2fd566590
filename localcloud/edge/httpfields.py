"""HTTP field syntax the edge's rules read: comma lists with quoted strings, Cache-Control directives,
HTTP-dates and media types.

Kept apart so the TTL, range, compression and header-policy rules parse a field one way. Every
function is pure: a malformed field reads as absent (or, for a date, as None) and never raises, because
an origin's bad header must not take the edge down.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import formatdate, parsedate_to_datetime

from localcloud.edge.model import Headers, header_values


def split_list(value: str) -> list[str]:
    """The members of a comma-separated field (RFC 9110 §5.6.1), commas inside quotes kept, blanks dropped."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    escaped = False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\" and quoted:
            current.append(char)
            escaped = True
        elif char == '"':
            current.append(char)
            quoted = not quoted
        elif char == "," and not quoted:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def cache_control(headers: Headers) -> dict[str, str | None]:
    """Cache-Control directives from every Cache-Control field: lower-cased names, unquoted values.

    The first occurrence of a directive wins, as RFC 9111 §4.2.1 asks of duplicates.
    """
    directives: dict[str, str | None] = {}
    for field in header_values(headers, "cache-control"):
        for item in split_list(field):
            name, sep, value = item.partition("=")
            key = name.strip().lower()
            if key and key not in directives:
                directives[key] = unquote(value.strip()) if sep else None
    return directives


def seconds(directives: dict[str, str | None], name: str) -> int | None:
    """A delta-seconds directive (max-age, s-maxage, stale-if-error, ...); None when absent or not a number."""
    value = directives.get(name)
    if value is None or not value.isdigit():
        return None
    return int(value)


def parse_http_date(value: str | None) -> float | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime) as a POSIX timestamp; None when unparsable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:  # asctime and "-0000" dates carry no zone; HTTP-dates are GMT
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def format_http_date(timestamp: float) -> str:
    return formatdate(timestamp, usegmt=True)


def media_type(content_type: str | None) -> str:
    """`text/html; charset=utf-8` → `text/html`."""
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()
