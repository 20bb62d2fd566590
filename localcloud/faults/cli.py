"""`python -m localcloud faults add | ls | clear`: the fault rules of the running instance (localcloud.faults).

faults add dynamodb --resource 'todos-*' --count 2              # throttle the next 2 calls
faults add ses --action SendEmail --error MessageRejected       # a permanent failure
faults add lambda --crash Todos/Worker --seconds 0.2            # kill the worker mid-invocation
faults add lambda --delay Todos/Worker --seconds 5              # past its Timeout: Task timed out
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud.faults.rules import RuleError, parse_rule

_ROUTE = "/_local/control/faults"


def add_parser(sub: Any, default_state: Path) -> None:
    faults = sub.add_parser("faults", help="inject AWS errors, worker crashes and delays into the running instance")
    faults_sub = faults.add_subparsers(dest="faults_command", required=True)
    add = faults_sub.add_parser("add", help="add a rule (an AWS error by default; --crash/--delay for functions)")
    add.add_argument("service", help="the AWS service's signing name: dynamodb, ses, sqs, s3, sns, lambda, ...")
    kind = add.add_mutually_exclusive_group()
    kind.add_argument("--crash", metavar="FUNCTION", help="kill this function's worker mid-invocation")
    kind.add_argument("--delay", metavar="FUNCTION", help="hold this function's invocations back --seconds")
    add.add_argument("--action", default="*", help="operation glob, e.g. PutItem or Send* (default: any)")
    add.add_argument("--resource", default="*", help="table/queue/bucket/function name or ARN glob (default: any)")
    add.add_argument("--error", help="AWS error code (default: the service's throttling error)")
    add.add_argument("--status", type=int, help="HTTP status (default: the code's usual one)")
    add.add_argument("--message", help="error message")
    add.add_argument("--count", type=int, help="apply this many times, then stop (default: until cleared)")
    add.add_argument("--probability", type=float, help="apply to this share of matching calls (0-1, default 1)")
    add.add_argument("--seconds", type=float, help="--crash: when into the invocation (0); --delay: how long")
    faults_sub.add_parser("ls", help="list the rules and how often each applied")
    clear = faults_sub.add_parser("clear", help="remove one rule, or all")
    clear.add_argument("id", nargs="?", help="the rule's id (default: every rule)")
    for parser in faults_sub.choices.values():
        parser.add_argument("--state-dir", default=str(default_state))


def rule_of(args: argparse.Namespace) -> dict[str, Any]:
    rule: dict[str, Any] = {"service": args.service, "action": args.action, "resource": args.resource}
    if args.crash or args.delay:
        rule.update(kind="crash" if args.crash else "delay", resource=args.crash or args.delay)
    for name in ("error", "status", "message", "count", "probability", "seconds"):
        if getattr(args, name) is not None:
            rule[name] = getattr(args, name)
    return rule


def run(args: argparse.Namespace, endpoints: dict | None, call: Callable[..., Any]) -> int:
    try:
        rule = rule_of(args) if args.faults_command == "add" else {}
        if rule:
            parse_rule(rule)  # a bad rule is told here, before any request
        if endpoints is None:
            print("localcloud is not running (make dev)", file=sys.stderr)
            return 2
        if rule:
            added = call(endpoints, "POST", _ROUTE, rule)["fault"]
            print(f"added {added['id']}: {describe(added)}")
        elif args.faults_command == "ls":
            rules = call(endpoints, "GET", _ROUTE)["faults"]
            for rule in rules:
                print(f"{rule['id']}  {describe(rule)}  (applied {rule['hits']} times)")
            if not rules:
                print("no fault rules")
        else:
            cleared = call(endpoints, "DELETE", f"{_ROUTE}/{args.id}" if args.id else _ROUTE)["cleared"]
            print(f"cleared {cleared} fault rule{'s' if cleared != 1 else ''}")
    except RuleError as exc:
        print(exc, file=sys.stderr)
        return 2
    except urllib.error.HTTPError as exc:
        print(json.loads(exc.read()).get("message"), file=sys.stderr)
        return 2
    return 0


def describe(rule: dict[str, Any]) -> str:
    times = "always" if rule.get("count") is None else f"{rule['count']} more times"
    if rule.get("probability", 1) < 1:
        times += f" with probability {rule['probability']:g}"
    if rule["kind"] == "crash":
        return f"crash {rule['resource']} {rule['seconds']:g} s into each invocation, {times}"
    if rule["kind"] == "delay":
        return f"delay {rule['resource']} by {rule['seconds']:g} s, {times}"
    error = rule.get("error") or "its throttling error"
    status = f" ({rule['status']})" if rule.get("status") else ""
    return f"{rule['service']}:{rule['action']} on {rule['resource']} fails with {error}{status}, {times}"
