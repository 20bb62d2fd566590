"""Requests for any OpenAPI operation, good and hostile, as hypothesis strategies, and their sending.

Built from the document alone, so every service's API is fuzzed the same way:

- valid values come from each parameter's and body's JSON Schema (`values`), with patterns read as
  ECMA-262 and every draw filtered by the contract's own validator;
- hostile values are the bad-input classes that reached a 500 before (nesting 10 000 deep, lone
  surrogates, 5 000-digit and non-ASCII digits, trailing newlines, non-finite numbers) and their
  relatives, in every place a request carries input: path, query, headers, body, Content-Type, token;
  in a body both as raw text and in place of one field of an otherwise valid body (`POISONS`);
- ids seen in responses (`Pool`) are fed back as path parameters, so writes reach existing items.

hypothesis-jsonschema would build `values`, but 0.23.1 fails on hypothesis 6.170 ('many' object has no
attribute 'more'); the subset here is what our documents use, and a keyword outside it fails loudly.
"""

from __future__ import annotations

import json
import string
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from common import ecma_regex
from hypothesis import find, settings
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from tests.support.openapi import OpenApi, Response, to_json_schema, validator

_SUPPORTED = {"type", "enum", "const", "properties", "required", "additionalProperties", "minProperties"}
_SUPPORTED |= {"maxProperties", "items", "minItems", "maxItems", "minLength", "maxLength", "pattern", "format"}
_SUPPORTED |= {"minimum", "maximum", "default", "anyOf", "oneOf"}

# Each class that reached a 500 once, and its neighbours.
HOSTILE_TEXT = [
    "9" * 5000, "0" * 30 + "1", "\uff15", "\u0663", "\u00b2", "1\n", " 1", "1 ", "+1", "-1", "0", "1.5", "1e3", "",
    "\u3000", "\ufeff", "\x00", "null", "true", "True", "[]", "{}", "x" * 3000, "%", "%00", '"1"', 'W/"1"', "*",
    "\U0001f600", "\u0661\u0662", "01ARZ3NDEKTSV4RRFFQ69G5FAV\n",
]  # fmt: skip
HOSTILE_SEGMENTS = [
    "\u0663", "\uff15", "x" * 2000, "01arz3ndektsv4rrffq69g5fav", "01ARZ3NDEKTSV4RRFFQ69G5FAV\n",
    "81ARZ3NDEKTSV4RRFFQ69G5FAV", "\U0001f600", " ", "%", "\x00", "null", "9" * 5000,
]  # fmt: skip
HOSTILE_HEADERS = [
    "\u0663", "\uff15", "9" * 5000, '"1"\t', '"1", "2"', "W/1", "*", "**", "-1", "1.0", "\u00b3", "x" * 3000,
]  # fmt: skip
HOSTILE_BODIES = [
    b"[" * 10_000, b"[" * 8_000 + b"]" * 8_000, b'{"a":' * 2_500 + b"1" + b"}" * 2_500,
    rb'"\ud800"', rb'["a\udfffb"]', rb'{"\udbff": 1}', b"NaN", b"-Infinity", b"1e400", b"9" * 5000,
    b"", b" ", b"null", b"[]", b'"x"', b"{}", b"{", b'{"a": 1', b"\xff\xfe\x00", b"\xed\xa0\x80",
    b'{"a": 1, "a": 2}', json.dumps({"pad": "p" * 17_000}).encode(),
]  # fmt: skip
# What replaces one field of a valid body; _DEEP becomes an array nested 8 000 deep.
_DEEP = "\x00deep\x00"
POISONS = ["\ud800", "a\udfffb", float("nan"), float("inf"), _DEEP, "\uff15\u0663", "2025-01-05\n", "\ufeff", 10**40]
HOSTILE_CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/json\u3000", "json"]
GARBAGE_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."


class Unsupported(NotImplementedError):
    pass


def values(schema: dict) -> st.SearchStrategy:
    """Values that satisfy `schema` (JSON Schema), by the same ECMA-262 validator the contract uses."""
    return _candidates(schema).filter(validator(schema).is_valid)


def _candidates(schema: dict) -> st.SearchStrategy:
    unknown = set(schema) - _SUPPORTED
    if unknown:
        raise Unsupported(f"fuzz: no strategy for {sorted(unknown)}; extend tests/support/fuzz.py")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    if "anyOf" in schema or "oneOf" in schema:
        return st.one_of([_candidates(s) for s in schema.get("anyOf", []) + schema.get("oneOf", [])])
    types = schema.get("type")
    if isinstance(types, list):
        return st.one_of([_candidates({**schema, "type": t}) for t in types])
    if types not in _by_type:
        raise Unsupported(f"fuzz: no strategy for a schema without a type: {schema}")
    return _by_type[types](schema)


def _string(schema: dict) -> st.SearchStrategy:
    low, high = schema.get("minLength", 0), schema.get("maxLength", 300)
    if schema.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if schema.get("format") == "date-time":
        return st.datetimes().map(lambda t: t.isoformat(timespec="milliseconds") + "Z")
    if schema.get("format") == "email":  # addresses as RFC 5322 allows them, or any text
        return st.one_of(st.emails(), st.text(max_size=high)).filter(lambda s: low <= len(s) <= high)
    if "pattern" in schema:
        return st.from_regex(ecma_regex.translate(schema["pattern"])).filter(lambda s: low <= len(s) <= high)
    return st.text(min_size=low, max_size=min(high, low + 300))


def _object(schema: dict) -> st.SearchStrategy:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    return st.fixed_dictionaries(
        {name: _candidates(s) for name, s in props.items() if name in required},
        optional={name: _candidates(s) for name, s in props.items() if name not in required},
    )


_by_type = {
    "null": lambda s: st.none(),
    "boolean": lambda s: st.booleans(),
    "integer": lambda s: st.integers(s.get("minimum"), s.get("maximum")),
    "number": lambda s: st.floats(s.get("minimum"), s.get("maximum"), allow_nan=False, allow_infinity=False),
    "string": _string,
    "array": lambda s: st.lists(_candidates(s.get("items", {})), min_size=s.get("minItems", 0), max_size=5),
    "object": _object,
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _as_text(value: Any) -> str:
    """A parameter value as it appears in a URL or a header (OpenAPI's default `simple`/`form` style)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _header_safe(text: str) -> bool:
    """What an HTTP client sends at all: no line break or NUL, no whitespace (by str.isspace) around it."""
    return bool(text) and text == text.strip() and not any(c in text for c in "\r\n\x00")


@dataclass
class Pool:
    """Path parameter values seen in 2xx responses (`todoId` fields for `/todos/{todoId}`), per name."""

    names: set[str]
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def harvest(self, body: Any) -> None:
        if isinstance(body, dict):
            for key, value in body.items():
                if key in self.names and isinstance(value, str):
                    self.seen[key].add(value)
                self.harvest(value)
        elif isinstance(body, list):
            for item in body:
                self.harvest(item)


@dataclass
class Request:
    method: str
    path: str  # percent-encoded
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str | bytes] = field(default_factory=dict)
    body: bytes | None = None
    auth: str = "token"  # "token", "none" or "garbage"

    def describe(self) -> str:
        """The request for a failure message, each long value cut short."""

        def short(value: Any) -> str:
            text = repr(value)
            return text if len(text) <= 120 else f"{text[:100]}…({len(value)} long)"

        query = {k: short(v) for k, v in self.query.items()}
        headers = {k: short(v) for k, v in self.headers.items()}
        return (
            f"{self.method} {short(self.path)} query={query} headers={headers} body={short(self.body)} auth={self.auth}"
        )


def _minimal(strategy: st.SearchStrategy) -> Any:
    """The simplest value of a strategy, found the same way on every run."""
    return find(strategy, lambda _: True, settings=settings(database=None, max_examples=200))


class Operation:
    """One OpenAPI operation's inputs as strategies, built once; `requests()` and `sweep()` use them."""

    def __init__(self, spec: OpenApi, method: str, template: str, pool: Pool):
        self.method, self.template, self.pool = method, template, pool
        self.params = [
            (p, values(to_json_schema(p.get("schema", {}))).map(_as_text)) for p in spec.parameters(method, template)
        ]
        content = (spec.operation(method, template).get("requestBody") or {}).get("content", {})
        self.body = (
            values(to_json_schema(content["application/json"]["schema"])) if "application/json" in content else None
        )

    def _path(self, chosen: dict[str, str]) -> str:
        path = self.template
        for name, value in chosen.items():
            path = path.replace("{" + name + "}", quote(value, safe="") if value not in (".", "..") else "x")
        return path

    def sweep(self) -> list[Request]:
        """Each hostile value once in each place, every other input valid and as simple as can be."""
        paths = {p["name"]: self._known(p["name"]) or _minimal(v) for p, v in self.params if p["in"] == "path"}
        body = json.dumps(_minimal(self.body)).encode() if self.body is not None else None
        json_type = {"Content-Type": "application/json"} if body is not None else {}

        def request(path=None, query=None, headers=None, **changes) -> Request:
            fields = {"body": body, **changes}
            return Request(
                self.method,
                self._path({**paths, **(path or {})}),
                query or {},
                {**json_type, **(headers or {})},
                **fields,
            )

        cases = [request(auth="none"), request(auth="garbage")]
        for param, _valid in self.params:
            name = param["name"]
            if param["in"] == "path":
                cases += [request(path={name: bad}) for bad in HOSTILE_SEGMENTS]
            elif param["in"] == "query":
                cases += [request(query={name: bad}) for bad in HOSTILE_TEXT]
            elif param["in"] == "header":
                cases += [request(headers={name: _header_value(bad)}) for bad in HOSTILE_HEADERS if _header_safe(bad)]
        if body is not None:
            cases += [request(body=bad) for bad in HOSTILE_BODIES]
            simplest = _minimal(self.body)
            fields = sorted(simplest) if isinstance(simplest, dict) else [None]
            cases += [request(body=_poisoned(simplest, name, poison)) for name in fields for poison in POISONS]
            cases += [request(headers={"Content-Type": _header_value(bad)}) for bad in HOSTILE_CONTENT_TYPES]
        return cases

    def _known(self, name: str) -> str | None:
        return max(self.pool.seen[name], default=None)

    def requests(self) -> st.SearchStrategy:
        return _drawn(self)


@st.composite
def _drawn(draw, op: Operation) -> Request:
    """One request for the operation: each input valid or hostile, independently."""
    chosen, query, headers = {}, {}, {}
    for param, valid in op.params:
        name, where = param["name"], param["in"]
        if where == "path":
            known = sorted(op.pool.seen[name])
            choices = [st.sampled_from(known)] if known else []
            chosen[name] = draw(st.one_of([*choices, valid, st.sampled_from(HOSTILE_SEGMENTS), st.text(min_size=1)]))
            continue
        if not param.get("required") and draw(st.booleans()):
            continue
        if where == "query":
            query[name] = draw(st.one_of(valid, st.sampled_from(HOSTILE_TEXT), st.text()))
        elif where == "header":
            printable = st.text(string.printable + "\u00e9\u00b3", min_size=1, max_size=40)
            headers[name] = _header_value(
                draw(st.one_of(valid, st.sampled_from(HOSTILE_HEADERS), printable).filter(_header_safe))
            )
    body = None
    if op.body is not None:
        kind = draw(st.sampled_from(["valid", "valid", "extra field", "poisoned", "hostile", "any JSON"]))
        if kind == "hostile":
            body = draw(st.sampled_from(HOSTILE_BODIES))
        elif kind == "any JSON":
            body = json.dumps(draw(json_values)).encode()
        else:
            valid = draw(op.body)
            fields = sorted(valid) if isinstance(valid, dict) and valid else [None]
            if kind == "valid":
                body = json.dumps(valid).encode()
            elif kind == "extra field" and isinstance(valid, dict):
                body = json.dumps({**valid, draw(st.text(min_size=1, max_size=8)): draw(json_values)}).encode()
            else:
                body = _poisoned(valid, draw(st.sampled_from(fields)), draw(st.sampled_from(POISONS)))
        content_types = ["application/json"] * len(HOSTILE_CONTENT_TYPES) * 2 + HOSTILE_CONTENT_TYPES
        headers["Content-Type"] = _header_value(draw(st.sampled_from(content_types)))
    auth = draw(st.sampled_from(["token"] * 8 + ["none", "garbage"]))
    return Request(op.method, op._path(chosen), query, headers, body, auth)


def _header_value(text: str) -> str | bytes:
    """Outside ASCII a header goes as raw UTF-8 bytes, as curl or a browser would send it."""
    return text if text.isascii() else text.encode()


def _poisoned(valid: Any, name: str | None, poison: Any) -> bytes:
    """A valid body with the field `name` (or, for None, the whole body) replaced by `poison`."""
    value = {**valid, name: poison} if name is not None else poison
    return json.dumps(value).replace(json.dumps(_DEEP), "[" * 8_000 + "]" * 8_000).encode()


def send(session: requests.Session, base: str, request: Request, token: str) -> Response:
    headers = dict(request.headers)
    if request.auth == "token":
        headers["Authorization"] = token
    elif request.auth == "garbage":
        headers["Authorization"] = GARBAGE_TOKEN
    reply = session.request(
        request.method, base + request.path, params=request.query, data=request.body, headers=headers, timeout=60
    )
    return Response(status=reply.status_code, headers=CaseInsensitiveDict(reply.headers), body=reply.content)
