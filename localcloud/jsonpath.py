"""The JSONPath subset AWS evaluates in API Gateway mapping templates and EventBridge input paths:
`$`, `.name` (dashes, colons and slashes allowed), `['name']`, `["name"]`, `[index]` (negative counts
from the end), and the wildcards `[*]` and `.*`, which make the result the list of what they found."""

from __future__ import annotations

import re
from typing import Any

_STEP = re.compile(
    r"\.([A-Za-z0-9_$@\-:/]+)|\.(\*)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[\s*(-?\d+)\s*\]|\[\s*(\*)\s*\]"
)


class JsonPathError(ValueError):
    """A path outside the subset."""


def find(document: Any, path: str, missing: Any = None) -> Any:
    """What `path` names in `document`: one value, a list for a wildcard path, or `missing`."""
    path = (path or "$").strip()
    if not path.startswith("$"):
        raise JsonPathError(f"invalid JSON path {path!r}: it must start with $")
    current = [document]
    wildcard = False
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise JsonPathError(f"invalid JSON path {path!r} at {path[position:]!r}")
        position = match.end()
        name, star, single, double, index, star_index = match.groups()
        key = name if name is not None else single if single is not None else double
        found = []
        for node in current:
            if index is not None:
                if isinstance(node, list) and -len(node) <= int(index) < len(node):
                    found.append(node[int(index)])
            elif star or star_index:
                wildcard = True
                found += list(node.values()) if isinstance(node, dict) else list(node) if isinstance(node, list) else []
            elif isinstance(node, dict) and key in node:
                found.append(node[key])
        current = found
    if wildcard:
        return current
    return current[0] if current else missing
