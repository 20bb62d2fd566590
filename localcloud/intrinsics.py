"""CloudFormation intrinsic functions, conditions and pseudo parameters, evaluated locally.

`Resolver.resolve(value)` returns `value` with every intrinsic replaced by its result; `AWS::NoValue`
removes the enclosing key or list item. `references(value)` lists the resources a value depends on, for
ordering creation.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any

NO_VALUE = object()
_SUB_VAR = re.compile(r"\$\{([^}]+)\}")


class IntrinsicError(Exception):
    pass


class Resolver:
    def __init__(
        self,
        *,
        parameters: dict[str, Any],
        pseudo: dict[str, Any],
        conditions: dict[str, Any] | None = None,
        mappings: dict[str, Any] | None = None,
        ref: Callable[[str], Any] | None = None,
        get_att: Callable[[str, str], Any] | None = None,
        import_value: Callable[[str], Any] | None = None,
    ):
        self.parameters = parameters
        self.pseudo = pseudo
        self.mappings = mappings or {}
        self._ref = ref
        self._get_att = get_att
        self._import_value = import_value
        self._condition_defs = conditions or {}
        self._condition_values: dict[str, bool] = {}

    # conditions ---------------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        if name not in self._condition_values:
            if name not in self._condition_defs:
                raise IntrinsicError(f"unknown condition {name!r}")
            self._condition_values[name] = bool(self.resolve(self._condition_defs[name]))
        return self._condition_values[name]

    # resolution ---------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        result = self._resolve(value)
        return None if result is NO_VALUE else result

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            items = [self._resolve(v) for v in value]
            return [v for v in items if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None:
                return handler(self, arg)
        out = {}
        for key, item in value.items():
            resolved = self._resolve(item)
            if resolved is not NO_VALUE:
                out[key] = resolved
        return out

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        if self._ref is None:
            raise IntrinsicError(f"cannot resolve Ref {name}")
        return self._ref(name)

    def get_att(self, resource: str, attribute: str) -> Any:
        if self._get_att is None:
            raise IntrinsicError(f"cannot resolve GetAtt {resource}.{attribute}")
        return self._get_att(resource, attribute)

    def sub(self, template: str, variables: dict[str, Any]) -> str:
        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] not in self.parameters and name not in self.pseudo:
                resource, attribute = name.split(".", 1)
                value = self.get_att(resource, attribute)
            else:
                value = self.ref(name)
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            return _stringify(value)

        return _SUB_VAR.sub(replace, template)


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fn_ref(r: Resolver, arg: Any) -> Any:
    return r.ref(r.resolve(arg))


def _fn_get_att(r: Resolver, arg: Any) -> Any:
    if isinstance(arg, str):
        arg = arg.split(".", 1)
    resource, attribute = arg[0], r.resolve(arg[1])
    return r.get_att(resource, attribute)


def _fn_sub(r: Resolver, arg: Any) -> str:
    if isinstance(arg, str):
        return r.sub(arg, {})
    template, variables = arg[0], r.resolve(arg[1]) or {}
    return r.sub(template, variables)


def _fn_join(r: Resolver, arg: Any) -> str:
    delimiter, items = arg[0], r.resolve(arg[1])
    return delimiter.join(_stringify(i) for i in items)


def _fn_select(r: Resolver, arg: Any) -> Any:
    index, items = int(r.resolve(arg[0])), r.resolve(arg[1])
    try:
        return items[index]
    except (IndexError, TypeError) as exc:
        raise IntrinsicError(f"Fn::Select index {index} out of range") from exc


def _fn_split(r: Resolver, arg: Any) -> list[str]:
    delimiter, source = arg[0], r.resolve(arg[1])
    return source.split(delimiter)


def _fn_if(r: Resolver, arg: Any) -> Any:
    name, when_true, when_false = arg
    return r._resolve(when_true if r.condition(name) else when_false)


def _fn_equals(r: Resolver, arg: Any) -> bool:
    left, right = (r.resolve(a) for a in arg)
    return _stringify(left) == _stringify(right)


def _fn_and(r: Resolver, arg: Any) -> bool:
    return all(r.resolve(a) for a in arg)


def _fn_or(r: Resolver, arg: Any) -> bool:
    return any(r.resolve(a) for a in arg)


def _fn_not(r: Resolver, arg: Any) -> bool:
    return not r.resolve(arg[0])


def _condition(r: Resolver, arg: Any) -> bool:
    return r.condition(arg)


def _fn_find_in_map(r: Resolver, arg: Any) -> Any:
    name, top, second = (r.resolve(a) for a in arg[:3])
    try:
        return r.mappings[name][top][second]
    except KeyError as exc:
        raise IntrinsicError(f"Fn::FindInMap: no {name}/{top}/{second}") from exc


def _fn_base64(r: Resolver, arg: Any) -> str:
    return base64.b64encode(str(r.resolve(arg)).encode()).decode()


def _fn_get_azs(r: Resolver, arg: Any) -> list[str]:
    region = r.resolve(arg) or r.pseudo["AWS::Region"]
    return [f"{region}a", f"{region}b", f"{region}c"]


def _fn_import_value(r: Resolver, arg: Any) -> Any:
    name = r.resolve(arg)
    if r._import_value is None:
        raise IntrinsicError(f"cannot import {name}")
    return r._import_value(name)


def _fn_length(r: Resolver, arg: Any) -> int:
    return len(r.resolve(arg))


def _fn_to_json_string(r: Resolver, arg: Any) -> str:
    return json.dumps(r.resolve(arg), separators=(",", ":"))


_FUNCTIONS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_get_att,
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::If": _fn_if,
    "Fn::Equals": _fn_equals,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Not": _fn_not,
    "Condition": _condition,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::ImportValue": _fn_import_value,
    "Fn::Length": _fn_length,
    "Fn::ToJsonString": _fn_to_json_string,
}


def references(value: Any, resources: set[str]) -> set[str]:
    """Logical ids of `resources` that `value` refers to (Ref, GetAtt, Sub)."""
    found: set[str] = set()

    def walk(v: Any) -> None:
        if isinstance(v, list):
            for item in v:
                walk(item)
        elif isinstance(v, dict):
            for key, item in v.items():
                if key == "Ref" and isinstance(item, str) and item in resources:
                    found.add(item)
                elif key == "Fn::GetAtt":
                    name = item.split(".", 1)[0] if isinstance(item, str) else item[0]
                    if name in resources:
                        found.add(name)
                elif key == "Fn::Sub":
                    text = item if isinstance(item, str) else item[0]
                    for var in _SUB_VAR.findall(text):
                        name = var.split(".", 1)[0]
                        if name in resources:
                            found.add(name)
                    if not isinstance(item, str):
                        walk(item[1])
                else:
                    walk(item)

    walk(value)
    return found
