"""IAM policy evaluation for the requests localcloud authorises itself (moto checks neither resources
nor conditions).

The logic follows the documented IAM evaluation order for one account: an explicit Deny in any
applicable policy wins, then an Allow from an identity policy or from a resource policy naming the
principal, else the implicit deny. Policy variables (`${cognito-identity.amazonaws.com:sub}`,
`${aws:username}`, `${*}`...) are substituted in Resource and Condition values of 2012-10-17 policies.
"""

from __future__ import annotations

import datetime
import fnmatch
import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ALLOW = "Allow"
DENY = "Deny"

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass
class Principal:
    """The caller as resource policies see it."""

    arn: str  # the session ARN: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION ("" for the two below)
    role_arn: str = ""
    account: str = ""
    service: str = ""  # an AWS service principal acting for a resource, e.g. "cloudfront.amazonaws.com"


@dataclass
class Decision:
    allowed: bool
    reason: str  # "allowed", "explicit deny in <source>", "no identity-based policy allows ..."
    matched: list[str] = field(default_factory=list)  # Sids (or positions) of the statements that decided


@dataclass
class Request:
    """One authorisation question: may the caller perform `action` on `resource` in this context?"""

    action: str
    resource: str
    context: Mapping[str, Any]  # condition keys, lowercased names; values are str or list[str]


def evaluate(
    request: Request,
    identity_policies: Iterable[tuple[str, Mapping[str, Any]]],
    resource_policies: Iterable[tuple[str, Mapping[str, Any]]] = (),
    principal: Principal | None = None,
    waived_keys: frozenset[str] = frozenset(),
) -> Decision:
    """Decide one request. Policies are (name, document) pairs; a Deny statement whose condition tests
    a key in `waived_keys` is skipped (how localcloud lets transport rules meant for TLS endpoints pass)."""
    allows: list[str] = []
    for source, document, is_resource in [
        *((n, d, False) for n, d in identity_policies),
        *((n, d, True) for n, d in resource_policies),
    ]:
        for sid, effect in _matching_statements(request, document, is_resource, principal, waived_keys):
            if effect == DENY:
                return Decision(False, f"explicit deny in {source}", [sid])
            allows.append(f"{source}:{sid}")
    if allows:
        return Decision(True, "allowed", allows)
    return Decision(False, f"no identity-based policy allows the {request.action} action")


def _matching_statements(
    request: Request,
    document: Mapping[str, Any],
    is_resource: bool,
    principal: Principal | None,
    waived_keys: frozenset[str],
) -> Iterable[tuple[str, str]]:
    substitute = document.get("Version") == "2012-10-17"
    for position, statement in enumerate(_as_list(document.get("Statement"))):
        if not isinstance(statement, Mapping):
            continue
        effect = statement.get("Effect")
        if effect not in (ALLOW, DENY):
            continue
        if is_resource and not _principal_matches(statement, principal, effect):
            continue
        if not _action_matches(statement, request.action):
            continue
        if not _resource_matches(statement, request, substitute):
            continue
        condition = statement.get("Condition") or {}
        if effect == DENY and waived_keys and _condition_keys(condition) & waived_keys:
            continue
        if not conditions_hold(condition, request.context, substitute):
            continue
        yield str(statement.get("Sid") or position), effect


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _action_matches(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(_wildcard(p, action, ignore_case=True) for p in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(_wildcard(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))
    return False


def _resource_matches(statement: Mapping[str, Any], request: Request, substitute: bool) -> bool:
    def matches(patterns: Any) -> bool:
        for pattern in _as_list(patterns):
            resolved = substitute_variables(pattern, request.context) if substitute else pattern
            if resolved is not None and _wildcard(resolved, request.resource):
                return True
        return False

    if "Resource" in statement:
        return matches(statement["Resource"])
    if "NotResource" in statement:
        return not matches(statement["NotResource"])
    return True  # resource policies may omit Resource (it is then the resource itself)


def _principal_matches(statement: Mapping[str, Any], principal: Principal | None, effect: str) -> bool:
    if "Principal" in statement:
        return _names_principal(statement["Principal"], principal, effect)
    if "NotPrincipal" in statement:
        return not _names_principal(statement["NotPrincipal"], principal, effect)
    return False


def _names_principal(value: Any, principal: Principal | None, effect: str) -> bool:
    if value == "*":
        return True
    if principal is None or not isinstance(value, Mapping):
        return False
    if principal.service:
        return principal.service in _as_list(value.get("Service")) or "*" in _as_list(value.get("AWS"))
    for name in _as_list(value.get("AWS")):
        if name == "*" or name in (principal.arn, principal.role_arn):
            return True
        account_root = name in (principal.account, f"arn:aws:iam::{principal.account}:root")
        if account_root and effect == DENY:
            return True  # an account principal in an Allow only delegates to IAM policies
    return False


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if not isinstance(pattern, str):
        return False
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    if "*" not in pattern and "?" not in pattern:
        return pattern == value
    return _compile(pattern).fullmatch(value) is not None


_PATTERNS: dict[str, re.Pattern] = {}


def _compile(pattern: str) -> re.Pattern:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
        compiled = _PATTERNS[pattern] = re.compile(regex, re.DOTALL)
    return compiled


def substitute_variables(text: str, context: Mapping[str, Any]) -> str | None:
    """`text` with `${key}` replaced from the context; None when a variable has no value and no default
    (IAM then treats the element as not matching)."""
    if "${" not in text:
        return text
    missing = False

    def replace(match: re.Match) -> str:
        nonlocal missing
        inner = match.group(1)
        if inner in _ESCAPES:
            return _ESCAPES[inner]
        name, _, default = inner.partition(",")
        value = context.get(name.strip().lower())
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else None
        if value is None:
            default = default.strip()
            if len(default) >= 2 and default[0] == default[-1] == "'":
                return default[1:-1]
            missing = True
            return ""
        return str(value)

    result = _VARIABLE.sub(replace, text)
    return None if missing else result


def _condition_keys(condition: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    for block in condition.values():
        if isinstance(block, Mapping):
            keys.update(k.lower() for k in block)
    return keys


def conditions_hold(condition: Mapping[str, Any], context: Mapping[str, Any], substitute: bool = True) -> bool:
    """All operators hold (AND); within one, all keys (AND); a key holds when any policy value matches (OR)."""
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            return False
        for key, policy_values in block.items():
            values = [str(v).lower() if isinstance(v, bool) else v for v in _as_list(policy_values)]
            if substitute:
                values = [substitute_variables(v, context) if isinstance(v, str) else v for v in values]
                values = [v for v in values if v is not None]
            if not _operator_holds(operator, context.get(key.lower()), values):
                return False
    return True


def _operator_holds(operator: str, actual: Any, policy_values: list) -> bool:
    qualifier = ""
    if ":" in operator:
        qualifier, _, operator = operator.partition(":")
    if_exists = operator.endswith("IfExists")
    if if_exists:
        operator = operator[: -len("IfExists")]
    if operator == "Null":
        expected_absent = str(policy_values[0]).lower() == "true" if policy_values else True
        absent = actual is None or actual == []
        return absent == expected_absent
    compare, negated = _COMPARATORS.get(operator, (None, False))
    if compare is None:
        return False  # unknown operators never match, as IAM rejects them
    request_values = actual if isinstance(actual, list) else ([] if actual is None else [actual])
    if not request_values:
        if qualifier == "ForAllValues":
            return True
        if qualifier == "ForAnyValue":
            return False
        return True if if_exists else negated

    def matches(value: Any) -> bool:
        hit = any(_safe(compare, str(value), str(p)) for p in policy_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(matches(v) for v in request_values)
    if negated and qualifier != "ForAnyValue":
        return all(matches(v) for v in request_values)
    return any(matches(v) for v in request_values)


def _safe(compare, actual: str, expected: str) -> bool:
    try:
        return compare(actual, expected)
    except (ValueError, TypeError):
        return False


def _numeric(op):
    return lambda a, b: op(float(a), float(b))


def _date(op):
    return lambda a, b: op(_timestamp(a), _timestamp(b))


def _timestamp(value: str) -> float:
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _ip_in(actual: str, network: str) -> bool:
    return ipaddress.ip_address(actual) in ipaddress.ip_network(network, strict=False)


def _arn_like(actual: str, pattern: str) -> bool:
    actual_parts = actual.split(":", 5)
    pattern_parts = pattern.split(":", 5)
    if len(actual_parts) != 6 or len(pattern_parts) != 6:
        return False
    return all(fnmatch.fnmatchcase(a, p) for a, p in zip(actual_parts, pattern_parts, strict=True))


def _eq(a, b):
    return a == b


def _lt(a, b):
    return a < b


def _le(a, b):
    return a <= b


def _gt(a, b):
    return a > b


def _ge(a, b):
    return a >= b


_COMPARATORS = {
    "StringEquals": (_eq, False),
    "StringNotEquals": (_eq, True),
    "StringEqualsIgnoreCase": (lambda a, b: a.lower() == b.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda a, b: a.lower() == b.lower(), True),
    "StringLike": (lambda a, b: _wildcard(b, a), False),
    "StringNotLike": (lambda a, b: _wildcard(b, a), True),
    "NumericEquals": (_numeric(_eq), False),
    "NumericNotEquals": (_numeric(_eq), True),
    "NumericLessThan": (_numeric(_lt), False),
    "NumericLessThanEquals": (_numeric(_le), False),
    "NumericGreaterThan": (_numeric(_gt), False),
    "NumericGreaterThanEquals": (_numeric(_ge), False),
    "DateEquals": (_date(_eq), False),
    "DateNotEquals": (_date(_eq), True),
    "DateLessThan": (_date(_lt), False),
    "DateLessThanEquals": (_date(_le), False),
    "DateGreaterThan": (_date(_gt), False),
    "DateGreaterThanEquals": (_date(_ge), False),
    "Bool": (lambda a, b: a.lower() == b.lower(), False),
    "BinaryEquals": (_eq, False),
    "IpAddress": (_ip_in, False),
    "NotIpAddress": (_ip_in, True),
    "ArnEquals": (_eq, False),
    "ArnNotEquals": (_eq, True),
    "ArnLike": (_arn_like, False),
    "ArnNotLike": (_arn_like, True),
}
