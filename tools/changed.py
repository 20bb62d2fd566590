"""`python -m tools.changed --since REF`: the components to test and the stacks to deploy for a change.

The change is every path that differs between REF and HEAD (committed), plus, with `--worktree`, what is
not committed yet. Each team's workflow runs this first and skips its jobs when its service is not listed.
A REF git cannot resolve (a first push, a force-push's lost base) means "everything", said on stderr.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from tools.services import MapError, ServiceMap


def changed_paths(since: str, *, cwd: Path, worktree: bool = False) -> list[str] | None:
    """Paths changed since `since`, or None when git cannot resolve it."""

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)

    if git("rev-parse", "--verify", "--quiet", f"{since}^{{commit}}").returncode != 0:
        return None
    diff = git("diff", "--name-only", "--no-renames", f"{since}...HEAD" if not worktree else since)
    if diff.returncode != 0:
        return None
    paths = set(diff.stdout.split())
    if worktree:
        untracked = git("ls-files", "--others", "--exclude-standard")
        paths |= set(untracked.stdout.split())
    return sorted(paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.changed", description=__doc__.splitlines()[0])
    parser.add_argument("--since", required=True, help="the git ref the change is measured from")
    parser.add_argument("--worktree", action="store_true", help="include uncommitted and untracked files")
    parser.add_argument("--json", action="store_true", help='print {"test": [...], "deploy": [...]}')
    parser.add_argument("--root", default=".", help="the repository (default: the current directory)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        services = ServiceMap.load(root)
    except MapError as exc:
        print(f"changed: {exc}", file=sys.stderr)
        return 2
    paths = changed_paths(args.since, cwd=root, worktree=args.worktree)
    if paths is None:
        print(f"changed: git cannot resolve {args.since!r}; treating everything as changed", file=sys.stderr)
        paths = ["template.yaml"]
    plan = services.plan(paths)
    if args.json:
        print(json.dumps(plan))
    else:
        print("test:", " ".join(plan["test"]) or "-")
        print("deploy:", " ".join(plan["deploy"]) or "-")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
