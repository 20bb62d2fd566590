"""`python -m tools.changes`: what a deploy would change, in the root stack and in every nested stack.

`make changes [SERVICE=x] [ENV=y]` packages the build `make deploy` would ship and runs this with the same
stack name and parameters: it creates a change set with `IncludeNestedStacks=True`, waits for it, and
prints every change as a tree, nested stacks under the change that holds them, with the property that
forces each replacement. It never executes the change set; `--delete` removes it once printed. Given only
`--change-set-name` (and `--stack-name`), it reads a change set that already exists.

Exit status: 0 when the change set is ready or has no changes; 1 when it, or a nested one, FAILED for
another reason; 2 when AWS refused a call or the arguments do not fit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from tools.change_set import Change, ChangeSet, ChangeSetError, Creator, Detail, Reader, Request

INDENT = "  "


def _detail_line(detail: Detail) -> str:
    cause = f"{detail.evaluation} {detail.source}".strip()
    if detail.causing:
        cause += f" from {detail.causing}"
    replaces = "  <- replaces" if detail.recreation in ("Always", "Conditionally") else ""
    return f"{detail.path}: recreation {detail.recreation or '-'} ({cause}){replaces}"


def _change_line(change: Change) -> str:
    parts = [f"{change.action:<7}", change.logical_id, change.type]
    if change.action in ("Modify", "Dynamic") and change.replacement:
        parts.append(f"replacement {change.replacement}")
    if change.action == "Remove" and change.policy_action:
        parts.append(f"policy {change.policy_action}")
    if change.scope:
        parts.append(f"[{', '.join(change.scope)}]")
    return "  ".join(parts)


def _header(change_set: ChangeSet) -> str:
    line = f"{change_set.stack}  {change_set.name}  "
    if change_set.no_changes:
        return line + "no changes"
    if change_set.failed:
        return line + f"FAILED: {change_set.reason}"
    return line + change_set.status + (f" ({change_set.execution})" if change_set.execution else "")


def render(change_set: ChangeSet, depth: int = 0) -> list[str]:
    """The change set as an indented tree: each nested stack's changes under the change that holds them."""
    lines = [INDENT * depth + _header(change_set)]
    for change in change_set.changes:
        lines.append(INDENT * (depth + 1) + _change_line(change))
        lines.extend(INDENT * (depth + 3) + _detail_line(detail) for detail in change.details)
        if change.nested is not None:
            lines.extend(render(change.nested, depth + 2))
    return lines


def summary(root: ChangeSet) -> dict:
    actions: Counter[str] = Counter()
    replaced, empty, failed, sets = [], [], [], 0
    for path, change_set in root.walk():
        sets += 1
        if change_set.no_changes or (not change_set.changes and path and not change_set.failed):
            empty.append("/".join(path) or change_set.stack)
        if change_set.failed:
            failed.append("/".join(path) or change_set.stack)
        for change in change_set.changes:
            if change.replacement in ("True", "Conditional"):
                replaced.append({"resource": "/".join((*path, change.logical_id)), "replacement": change.replacement})
            if change.nested is None:  # a nested stack's own change is counted through its changes
                actions[change.action] += 1
    return {
        "change_sets": sets,
        "changes": sum(actions.values()),
        "actions": dict(sorted(actions.items())),
        "replacements": replaced,
        "no_changes": empty,
        "failed": failed,
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def summary_line(facts: dict) -> str:
    counts = ", ".join(f"{n} {action}" for action, n in facts["actions"].items())
    line = f"{_count(facts['change_sets'], 'change set')}, {_count(facts['changes'], 'change')}"
    line += f" ({counts})" if counts else ""
    replaced = [
        f"{r['resource']}{'' if r['replacement'] == 'True' else ' (conditional)'}" for r in facts["replacements"]
    ]
    line += f"; {_count(len(replaced), 'replacement')}" + (f": {', '.join(replaced)}" if replaced else "")
    if facts["no_changes"]:
        line += f"; no changes in {', '.join(facts['no_changes'])}"
    if facts["failed"]:
        line += f"; FAILED: {', '.join(facts['failed'])}"
    return line


def capabilities(config_env: str, samconfig: Path) -> tuple[str, ...]:
    """The capabilities `sam deploy --config-env X` acknowledges, from samconfig.toml."""
    config = tomllib.loads(samconfig.read_text()).get(config_env) or {}
    for section in ("deploy", "global"):
        found = (config.get(section) or {}).get("parameters", {}).get("capabilities")
        if found:
            return tuple(found.split() if isinstance(found, str) else found)
    return ("CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND")


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.changes", description=__doc__.splitlines()[0])
    parser.add_argument("--stack-name", required=True)
    parser.add_argument("--template-file", type=Path, help="a packaged template: create a change set from it")
    parser.add_argument("--change-set-name", help="the change set to create, or (alone) the one to read")
    parser.add_argument("--parameter-overrides", nargs="*", type=_pair, default=[], metavar="KEY=VALUE")
    parser.add_argument("--config-env", default="default", help="the samconfig env whose capabilities apply")
    parser.add_argument("--samconfig", type=Path, default=Path("samconfig.toml"))
    parser.add_argument("--s3-bucket", help="where a template over 51,200 bytes goes (default: its artifacts')")
    parser.add_argument("--region")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the change set")
    parser.add_argument("--poll-seconds", type=float, default=5, help="seconds between two looks at it")
    parser.add_argument("--delete", action="store_true", help="delete the change set once printed")
    parser.add_argument("--json", action="store_true", help="print the tree and the summary as JSON")
    args = parser.parse_args(argv)
    if not args.template_file and not args.change_set_name:
        parser.error("give --template-file (create a change set) or --change-set-name (read one)")
    return args


def run(args: argparse.Namespace, session) -> int:
    cloudformation = session.client("cloudformation", region_name=args.region)
    if args.template_file:
        request = Request(
            stack=args.stack_name,
            name=args.change_set_name or f"changes-{int(time.time())}",
            body=args.template_file.read_text(),
            parameters=dict(args.parameter_overrides),
            capabilities=capabilities(args.config_env, args.samconfig),
            region=cloudformation.meta.region_name,
            bucket=args.s3_bucket,
        )
        name, stack = (
            Creator(cloudformation, lambda: session.client("s3", region_name=args.region)).create(request),
            None,
        )
    else:
        name, stack = args.change_set_name, args.stack_name
    root = Reader(cloudformation, timeout=args.timeout, interval=args.poll_seconds).read(name, stack)
    facts = summary(root)
    if args.json:
        print(json.dumps({"change_set": asdict(root), "summary": facts}, indent=2))
    else:
        print("\n".join(render(root)))
        print(summary_line(facts))
    if args.delete:
        cloudformation.delete_change_set(ChangeSetName=root.arn)
    return 1 if facts["failed"] else 0


def main(argv: list[str] | None = None, session=None) -> int:
    args = parse_args(argv)
    if session is None:
        import boto3

        session = boto3.session.Session()
    try:
        return run(args, session)
    except (ClientError, BotoCoreError, ChangeSetError) as exc:
        print(f"changes: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
