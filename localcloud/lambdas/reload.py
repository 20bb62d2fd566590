"""Knowing when a function's code changed (hot reload), and removing bytecode that would hide the change."""

from __future__ import annotations

import os

from localcloud.model import FunctionSpec


def code_signature(spec: FunctionSpec, cache: dict[str, int]) -> int:
    parts = []
    for folder in (spec.code_dir, *spec.layer_dirs):
        key = os.fspath(folder)
        if key not in cache:
            cache[key] = tree_signature(key)
        parts.append(cache[key])
    return hash(tuple(parts))


def tree_signature(root: str) -> int:
    """Hash of every source file's path, mtime and size (bytecode caches and dot-folders left out)."""
    entries = []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                for entry in listing:
                    name = entry.name
                    if name.startswith(".") or name == "__pycache__" or name.endswith(".pyc"):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(entry.path)
                            continue
                        stat = entry.stat()
                    except OSError:
                        continue
                    entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
        except OSError:
            entries.append((folder, -1, -1))
    return hash(frozenset(entries))


def drop_stale_bytecode(spec: FunctionSpec) -> None:
    """Delete cached bytecode not newer than its source. CPython trusts a .pyc whose recorded source size and
    mtime (in whole seconds) match, so a same-size edit saved within the second of an earlier import would
    otherwise restart the worker on the old code."""
    for root in (spec.code_dir, *spec.layer_dirs):
        for folder, subfolders, _ in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            if os.path.basename(folder) != "__pycache__":
                continue
            for name in os.listdir(folder):
                if not name.endswith(".pyc"):
                    continue
                source = os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")
                pyc = os.path.join(folder, name)
                try:
                    if os.stat(source).st_mtime_ns >= os.stat(pyc).st_mtime_ns:
                        os.unlink(pyc)
                except OSError:
                    continue
