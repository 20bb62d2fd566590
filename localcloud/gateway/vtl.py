"""API Gateway mapping templates (VTL, rendered by airspeed) with $input, $util, $context, $stageVariables.

API Gateway's Velocity writes a quote inside a string literal by doubling it (`"{""slug"": ""$s""}"`,
`'it''s'`), the way storage-first templates build a Kinesis record's JSON inside `$util.base64Encode(...)`.
airspeed knows only backslash escapes, so its two string literals learn the doubled quote (`_quotes`).
Strings get java.lang.String's methods with Java's meaning (`_java_strings`): `matches` must match the
whole string (airspeed's matched a prefix, so `"abc-".matches("[a-z]+")` was true), and `substring`,
`indexOf`, `toLowerCase`, `trim` and friends exist. A boolean renders as Java's `true`/`false`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import airspeed

from localcloud.jsonpath import JsonPathError, find


class VtlMap(dict):
    """A dict with the java.util.Map methods templates call."""

    def size(self) -> int:
        return len(self)

    def isEmpty(self) -> bool:
        return not self

    def containsKey(self, key) -> bool:
        return key in self

    def keySet(self) -> list:
        return list(self.keys())

    def entrySet(self) -> list:
        return [VtlMap(key=k, value=v) for k, v in self.items()]

    def put(self, key, value):
        previous = self.get(key)
        self[key] = value
        return previous

    def putAll(self, other) -> None:
        self.update(other)

    def toString(self) -> str:
        return "{" + ", ".join(f"{k}={v}" for k, v in self.items()) + "}"


def to_vtl(value: Any) -> Any:
    if isinstance(value, dict):
        return VtlMap({k: to_vtl(v) for k, v in value.items()})
    if isinstance(value, list):
        return [to_vtl(v) for v in value]
    return value


class TemplateError(Exception):
    pass


def json_path(document: Any, path: str) -> Any:
    """The JSONPath subset templates use (localcloud.jsonpath): $, .key, ['key'], [index], [*]."""
    try:
        return find(document, path)
    except JsonPathError as exc:
        raise TemplateError(str(exc)) from None


class Util:
    def escapeJavaScript(self, value) -> str:
        return json.dumps("" if value is None else str(value), ensure_ascii=False)[1:-1].replace("'", "\\'")

    def base64Encode(self, value) -> str:
        data = value if isinstance(value, bytes) else str(value if value is not None else "").encode()
        return base64.b64encode(data).decode()

    def base64Decode(self, value) -> str:
        return base64.b64decode(str(value or "")).decode("utf-8", errors="replace")

    def urlEncode(self, value) -> str:
        return quote_plus(str(value if value is not None else ""))

    def urlDecode(self, value) -> str:
        return unquote_plus(str(value if value is not None else ""))

    def parseJson(self, value):
        try:
            return to_vtl(json.loads(value))
        except (TypeError, ValueError) as exc:
            raise TemplateError(f"$util.parseJson: invalid JSON ({exc})") from None

    def toJson(self, value) -> str:
        return json.dumps(value)


class Input:
    """`$input`: the request (or integration response) body and, for requests, its parameters."""

    def __init__(self, body: bytes | str, params: dict[str, dict[str, str]] | None = None):
        self._raw = body if isinstance(body, str) else body.decode("utf-8", errors="replace")
        self._params = params or {"path": {}, "querystring": {}, "header": {}}
        self._parsed: Any = None
        self._did_parse = False

    @property
    def body(self) -> str:
        return self._raw

    def _document(self) -> Any:
        if not self._did_parse:
            self._did_parse = True
            try:
                self._parsed = to_vtl(json.loads(self._raw) if self._raw.strip() else {})
            except ValueError:
                raise TemplateError("the body is not valid JSON") from None
        return self._parsed

    def json(self, path: str = "$") -> str:
        return json.dumps(json_path(self._document(), path))

    def path(self, path: str = "$") -> Any:
        """The value itself, not a copy: a template that `#set`s into it changes what `json()` gives."""
        return json_path(self._document(), path)

    def params(self, name: str | None = None):
        if name is None:
            return to_vtl(self._params)
        for kind in ("path", "querystring", "header"):
            found = self._params.get(kind, {})
            if kind == "header":
                for k, v in found.items():
                    if k.lower() == name.lower():
                        return v
            elif name in found:
                return found[name]
        return ""


_BACKSLASHED = {"n": "\n", "r": "\r", "b": "\b", "t": "\t", '"': '"', "\\": "\\", "'": "'"}


def _quotes() -> None:
    """Teach airspeed's two string literals Velocity's doubled quote ("" inside "...", '' inside '...')."""
    airspeed.StringLiteral.QUOTE = "'"
    airspeed.StringLiteral.STRING = re.compile(r"'((?:''|\\['nrbt\\\\\\$]|[^'\\])*)'", re.S)
    airspeed.StringLiteral.ESCAPED_CHAR = re.compile(r"''|\\([nrbt'\\])")
    airspeed.InterpolatedStringLiteral.QUOTE = '"'
    airspeed.InterpolatedStringLiteral.STRING = re.compile(r'"((?:""|\\["nrbt\\\\\\$]|[^"\\])*)"', re.S)
    airspeed.InterpolatedStringLiteral.ESCAPED_CHAR = re.compile(r'""|\\([nrbt"\\])')

    def parse(self) -> None:  # InterpolatedStringLiteral.parse calls this one, then builds its block
        (value,) = self.identity_match(self.STRING)
        doubled = self.QUOTE * 2

        def unescape(match: re.Match) -> str:
            if match.group(0) == doubled:
                return self.QUOTE
            return _BACKSLASHED.get(match.group(1), "\\" + match.group(1))

        self.value = self.ESCAPED_CHAR.sub(unescape, value)

    airspeed.StringLiteral.parse = parse


_JAVA_BLANKS = "".join(map(chr, range(33)))  # String.trim drops every char <= U+0020


def _substring(value: str, begin: int, end: int | None = None) -> str:
    stop = len(value) if end is None else end
    if not 0 <= begin <= stop <= len(value):
        raise TemplateError(f"String index out of range: begin {begin}, end {stop}, length {len(value)}")
    return value[begin:stop]


def _java_strings() -> None:
    airspeed.__additional_methods__[str].update(
        {
            "matches": lambda self, pattern: re.fullmatch(pattern, self) is not None,
            "substring": _substring,
            "indexOf": lambda self, part: self.find(part),
            "endsWith": lambda self, suffix: self.endswith(suffix),
            "isEmpty": lambda self: not self,
            "equals": lambda self, other: self == other,
            "toLowerCase": lambda self: self.lower(),
            "toUpperCase": lambda self: self.upper(),
            "trim": lambda self: self.strip(_JAVA_BLANKS),
        }
    )


def _java_booleans() -> None:
    """`$flag` renders `true`/`false` as Velocity does, not Python's True/False (airspeed's
    FormalReference.evaluate_raw, with the one change: the expression is still evaluated once)."""

    def evaluate_raw(self, stream, namespace, loader):
        value = None
        if self.expression is not None:
            value = self.expression.calculate(namespace, loader)
        if value is None:
            if self.alternate is not None:
                value = self.alternate.calculate(namespace, loader)
            elif self.silent and self.expression is not None:
                value = ""
            else:
                value = self.my_text()
        stream.write(("true" if value else "false") if isinstance(value, bool) else str(value))

    airspeed.FormalReference.evaluate_raw = evaluate_raw


_quotes()
_java_strings()
_java_booleans()
_compiled: dict[str, airspeed.Template] = {}
_lock = threading.Lock()


def render(template: str, *, input: Input, context: dict[str, Any], stage_vars: dict[str, str]) -> str:
    return _merge(template, input, to_vtl(context), stage_vars)


def render_response(
    template: str, *, input: Input, context: dict[str, Any], stage_vars: dict[str, str]
) -> tuple[str, int | None, dict[str, str]]:
    """An integration response template, with what it set in `$context.responseOverride`: the status
    and the headers API Gateway sends instead of the integration response's own."""
    ctx = to_vtl(context)
    override = VtlMap(status=None, header=VtlMap())
    ctx["responseOverride"] = override
    body = _merge(template, input, ctx, stage_vars)
    status = override.get("status")
    try:
        status = int(status) if status not in (None, "") else None
    except (TypeError, ValueError):
        raise TemplateError(f"$context.responseOverride.status is not a status code: {status!r}") from None
    headers = override.get("header") if isinstance(override.get("header"), dict) else {}
    return body, status, {str(k): str(v) for k, v in headers.items()}


def _merge(template: str, input: Input, context: VtlMap, stage_vars: dict[str, str]) -> str:
    with _lock:
        compiled = _compiled.get(template)
        if compiled is None:
            compiled = airspeed.Template(template)
            try:
                compiled.ensure_compiled()
            except Exception as exc:
                raise TemplateError(f"mapping template does not parse: {exc}") from exc
            _compiled[template] = compiled
    namespace = {"input": input, "util": Util(), "context": context, "stageVariables": VtlMap(stage_vars)}
    try:
        return compiled.merge(namespace)
    except TemplateError:
        raise
    except Exception as exc:
        raise TemplateError(f"mapping template failed: {exc}") from exc
