"""The SAM transform's results, kept on disk by what goes into them, so a restart skips samtranslator.

samtranslator's import and its translate calls are a large part of a start-up, and a template rarely
changes between two `make dev`. The key covers everything the result depends on: the template as the
transform receives it (local paths swapped, included and definition documents already inlined), the
parameter values, the region, samtranslator's version and the Python that wrote the file. The value is
`marshal`ed, which gives back exactly the types written (integer keys of an inlined OpenAPI document
stay integers, as JSON would not keep them). A file that cannot be read is recomputed and replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FORMAT = 1  # bump when what a cached file holds changes meaning
KEEP = 32  # cached results kept per folder, newest first: one per template, a few edits back


def cached_transform(
    template: dict, parameters: dict[str, Any], region: str, folder: Path, compute: Callable[[], dict]
) -> dict:
    """`compute()` (the transform of `template`), read from `folder` when the same inputs ran before."""
    try:
        key = _key(template, parameters, region)
    except ValueError:  # something marshal cannot write: no caching for this template
        return compute()
    path = folder / f"{key}.transform"
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        result = marshal.loads(path.read_bytes())  # noqa: S302 - written only by this module, atomically
        if isinstance(result, dict):
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: pruned last
            return result
    result = compute()
    _store(folder, path, result)
    return result


def _key(template: dict, parameters: dict[str, Any], region: str) -> str:
    import samtranslator  # the package's __init__ only: its version, not the translator

    inputs = (FORMAT, samtranslator.__version__, sys.version, region, sorted(parameters.items()), template)
    return hashlib.sha256(marshal.dumps(_canonical(inputs))).hexdigest()


def _canonical(value: Any) -> Any:
    """The same inputs as the same bytes: mappings as sorted pairs (marshal keeps insertion order)."""
    if isinstance(value, dict):
        return ("{", sorted(((repr(k), _canonical(v)) for k, v in value.items()), key=lambda pair: pair[0]))
    if isinstance(value, (list, tuple)):
        return ("[", [_canonical(item) for item in value])
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(f"cannot key a {type(value).__name__}")


def _store(folder: Path, path: Path, result: dict) -> None:
    try:
        data = marshal.dumps(result)
    except ValueError:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        _prune(folder)
    except OSError as exc:  # a read-only or full state dir costs the next start the transform, nothing else
        log.debug("transform cache not written to %s: %s", folder, exc)


def _prune(folder: Path) -> None:
    files = sorted(folder.glob("*.transform"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
