"""Which cached objects an invalidation's paths remove, with CloudFront's path rules.

"What you need to know when invalidating files" (CloudFront Developer Guide):
- a path given to the API begins with `/`, and is at most 4,000 characters;
- paths are case sensitive;
- `*` is a wildcard only as the last character, matching 0 or more characters; "Asterisks (*) inserted
  anywhere else are treated as a literal character match", so `/a*b` names the object `/a*b`;
- CloudFront doesn't support `~` in invalidation paths, URL-encoded or not: such a path is refused here;
- non-ASCII and RFC 1738 unsafe characters are URL-encoded, nothing else is, so `%41` and `A` differ;
- an object cached with query strings is named with them (`/a.jpg?x=1`); `/a.jpg*` covers them all;
- every cached variant of a path (cookies, headers, Accept-Encoding) goes at once.

The matcher is given an object's identity as `uri` plus `?query` when its cache key kept a query string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

MAX_PATH_LENGTH = 4_000
# RFC 1738 §2.2 unsafe characters, less `%` (it starts an escape) and `~` (refused outright).
_UNSAFE = set(' "<>#{}|\\^[]`')
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


class InvalidationPathError(ValueError):
    """A path CloudFront's CreateInvalidation rejects (InvalidArgument)."""


def normalise(path: str) -> str:
    """`path` with non-ASCII, control and unsafe characters percent-encoded (UTF-8) and existing escapes
    upper-cased, so a raw and an encoded spelling of the same character compare equal."""
    out: list[str] = []
    index = 0
    while index < len(path):
        char = path[index]
        if char == "%" and _ESCAPE.match(path, index):
            out.append(path[index : index + 3].upper())
            index += 3
            continue
        if char == "%" or char in _UNSAFE or ord(char) < 0x21 or ord(char) > 0x7E:
            out.append("".join(f"%{byte:02X}" for byte in char.encode("utf-8")))
        else:
            out.append(char)
        index += 1
    return "".join(out)


def validate(path: str) -> str:
    """`path` checked as CreateInvalidation checks it; returns it normalised."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise InvalidationPathError(f"invalidation path {path!r} must begin with '/'")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidationPathError(f"invalidation path is {len(path)} characters; the maximum is {MAX_PATH_LENGTH}")
    if "~" in path or "%7e" in path.lower():
        raise InvalidationPathError(f"invalidation path {path!r}: CloudFront doesn't support '~' in invalidations")
    return normalise(path)


def matcher(paths: Iterable[str]) -> Callable[[str], bool]:
    """A predicate telling whether a cached object's `uri[?query]` falls under any of `paths`.

    Raises InvalidationPathError for a path CloudFront refuses, or for no path at all.
    """
    if isinstance(paths, str):
        raise TypeError("matcher takes a list of paths, not one string")
    exact: set[str] = set()
    prefixes: list[str] = []
    for path in paths:
        checked = validate(path)
        if checked.endswith("*"):
            prefixes.append(checked[:-1])
        else:
            exact.add(checked)
    if not exact and not prefixes:
        raise InvalidationPathError("an invalidation needs at least one path")
    ordered = tuple(sorted(set(prefixes)))

    def matches(target: str) -> bool:
        candidate = normalise(target)
        return candidate in exact or candidate.startswith(ordered)

    return matches
