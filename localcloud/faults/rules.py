"""Fault rules and the thread-safe set of them that the AWS endpoint and the Lambda workers consult.

A rule is one of three kinds:

- `error`: an AWS request to `service` (its signing name: dynamodb, ses, sqs, s3, lambda, ...) whose
  operation matches `action` and whose resource (table, queue, topic, bucket, function: by name or ARN)
  matches `resource` is answered with `error` and `status` instead of reaching moto;
- `crash`: an invocation of a function matching `resource` has its worker process killed `seconds` into
  the invocation (Lambda reports `Runtime.ExitError`, the environment is replaced);
- `delay`: an invocation of a function matching `resource` starts `seconds` late, its deadline unmoved
  (beyond the function's Timeout, the invocation times out as Lambda's `Sandbox.Timedout`).

A rule applies `count` times (None: until cleared), each matching request with `probability`; a spent
rule stays listed with its `hits` until cleared. This
module imports nothing from localcloud: the CLI validates rules with it before sending them.
"""

from __future__ import annotations

import fnmatch
import itertools
import random
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

KINDS = ("error", "crash", "delay")
FUNCTION_KINDS = ("crash", "delay")


class RuleError(ValueError):
    """A rule that cannot be applied, with the message for the caller."""


@dataclass
class Rule:
    kind: str = "error"
    service: str = "lambda"
    action: str = "*"
    resource: str = "*"
    error: str | None = None
    status: int | None = None
    message: str | None = None
    count: int | None = None  # how many more times it applies (None: always)
    probability: float = 1.0
    seconds: float = 0.0
    id: str = ""
    hits: int = 0  # how many times it has applied

    def public(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Request:
    """What an error rule is matched against."""

    service: str
    action: str
    resources: tuple[str, ...] = ()


def parse_rule(data: Any) -> Rule:
    """A rule from its JSON form; RuleError says what is wrong."""
    if not isinstance(data, dict):
        raise RuleError("a fault rule is a JSON object")
    known = {f for f in Rule.__dataclass_fields__ if f not in ("id", "hits")}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RuleError(f"unknown fault rule fields: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    kind = data.get("kind", "error")
    if kind not in KINDS:
        raise RuleError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    rule = Rule(kind=kind, service="lambda" if kind in FUNCTION_KINDS else "")
    for name in ("service", "action", "resource", "error", "message"):
        value = data.get(name)
        if value is not None:
            if not isinstance(value, str) or not value:
                raise RuleError(f"{name} must be a non-empty string")
            setattr(rule, name, value)
    if not rule.service:
        raise RuleError("an error rule names its service (the signing name: dynamodb, ses, sqs, s3, ...)")
    if kind in FUNCTION_KINDS and rule.service != "lambda":
        raise RuleError(f"a {kind} rule is about functions: its service is lambda")
    rule.status = _number(data, "status", int, 400, 599)
    rule.count = _number(data, "count", int, 1, None)
    probability = _number(data, "probability", float, 0.0, 1.0)
    rule.probability = 1.0 if probability is None else probability
    seconds = _number(data, "seconds", float, 0.0, 900.0)
    rule.seconds = 0.0 if seconds is None else seconds
    if kind == "delay" and rule.seconds <= 0:
        raise RuleError("a delay rule needs seconds > 0")
    return rule


def _number(data: dict, name: str, kind: type, low: float, high: float | None) -> Any:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
        raise RuleError(f"{name} must be {'an integer' if kind is int else 'a number'}")
    if value < low or (high is not None and value > high):
        raise RuleError(f"{name} must be from {low} to {high}" if high is not None else f"{name} must be ≥ {low}")
    return kind(value)


def name_matches(pattern: str, names: tuple[str, ...]) -> bool:
    """A glob against any of the names (an ARN and its short name, an address ...); `*` matches nothing too."""
    if pattern == "*":
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for name in names)


def short_names(arn: str) -> tuple[str, ...]:
    """An ARN and the resource names in it: `...:table/todos` → todos, `...:function:f:live` → f,
    `arn:aws:s3:::b/k` → b and b/k."""
    if not arn.startswith("arn:"):
        return (arn,)
    parts = arn.split(":", 5)
    rest = parts[5] if len(parts) == 6 else arn
    if rest.startswith("function:"):
        return arn, rest.split(":")[1]
    if parts[2] == "s3":  # arn:aws:s3:::bucket/key → the bucket, and bucket/key
        return arn, rest.split("/", 1)[0], rest
    name = rest.split("/", 1)[1] if "/" in rest else rest
    return arn, name.split("/", 1)[0], name


@dataclass
class Faults:
    """The active rules. `rules` is read without the lock on the hot path: an empty list means no cost."""

    rules: list[Rule] = field(default_factory=list)
    chance: Any = field(default=random.random)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def add(self, data: Any) -> Rule:
        rule = parse_rule(data)
        with self._lock:
            rule.id = f"f{next(self._ids)}"
            self.rules = [*self.rules, rule]
        return replace(rule)

    def listing(self) -> list[dict[str, Any]]:
        return [rule.public() for rule in self.rules]

    def clear(self, rule_id: str | None = None) -> int:
        """Remove one rule (by id) or all; how many went."""
        with self._lock:
            before = len(self.rules)
            self.rules = [r for r in self.rules if rule_id is not None and r.id != rule_id]
            return before - len(self.rules)

    def error_for(self, request: Request) -> Rule | None:
        """The error rule this AWS request triggers (its count taken), or None."""
        return self._take(
            lambda r: (
                r.kind == "error"
                and r.service == request.service
                and name_matches(r.action, (request.action,))
                and name_matches(r.resource, request.resources or ("*",))
            )
        )

    def function_fault(self, names: tuple[str, ...]) -> list[Rule]:
        """The crash and delay rules an invocation of the function known by `names` triggers."""
        taken = []
        for kind in FUNCTION_KINDS:
            rule = self._take(lambda r, kind=kind: r.kind == kind and name_matches(r.resource, names))
            if rule is not None:
                taken.append(rule)
        return taken

    def wants(self, service: str) -> bool:
        return any(rule.service == service and rule.kind == "error" for rule in self.rules)

    def _take(self, matches: Any) -> Rule | None:
        if not self.rules:
            return None
        with self._lock:
            for rule in self.rules:
                if rule.count == 0 or not matches(rule):
                    continue
                if rule.probability < 1.0 and self.chance() >= rule.probability:
                    continue
                rule.hits += 1
                if rule.count is not None:
                    rule.count -= 1  # a spent rule stays listed (with its hits) until cleared
                return replace(rule)
        return None
