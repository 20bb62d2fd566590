"""openapi.yaml as the tests use it: routes, JSON Schemas (OpenAPI 3.0 → draft 7) and response checks."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path

import jsonschema
import yaml

OPENAPI = Path(__file__).resolve().parents[2] / "services" / "todos" / "openapi.yaml"
_ANNOTATIONS = {"description", "example", "examples", "title_", "externalDocs", "xml", "deprecated"}
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@cache
def document() -> dict:
    return yaml.safe_load(OPENAPI.read_text())


def _resolve(node, doc):
    if isinstance(node, dict):
        if "$ref" in node:
            target = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(copy.deepcopy(target), doc)
        return {k: _resolve(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, doc) for v in node]
    return node


def to_json_schema(schema: dict) -> dict:
    """OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a `null` type; documentation keys go."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS or key == "nullable":
            continue
        if key == "properties":
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") or key in ("allOf", "anyOf", "oneOf"):
            out[key] = to_json_schema(value)
        else:
            out[key] = value
    if schema.get("nullable"):
        out["type"] = [out["type"], "null"]
    return out


def schema(name: str) -> dict:
    """A component schema, references resolved, as JSON Schema."""
    doc = document()
    return to_json_schema(_resolve(doc["components"]["schemas"][name], doc))


def routes() -> set[tuple[str, str]]:
    return {
        (method.upper(), path) for path, item in document()["paths"].items() for method in item if method in _METHODS
    }


def operation(method: str, path: str) -> dict:
    doc = document()
    return _resolve(doc["paths"][path][method.lower()], doc)


def parameter(method: str, path: str, name: str) -> dict:
    doc = document()
    params = doc["paths"][path].get("parameters", []) + doc["paths"][path][method.lower()].get("parameters", [])
    for param in _resolve(params, doc):
        if param["name"] == name:
            return param
    raise KeyError(name)


@cache
def route_of(path: str) -> str:
    """The OpenAPI path template a concrete path belongs to."""
    for template in document()["paths"]:
        pattern = "^" + re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template
    raise KeyError(path)


@cache
def _expectations(method: str, route: str, status: int):
    """(body validator or None, {header: validator}) for a declared response; None when undeclared."""
    declared = operation(method, route)["responses"].get(str(status))
    if declared is None:
        return None
    content = declared.get("content")
    body = None
    if content is not None:
        body_schema = to_json_schema(content["application/json"]["schema"])
        jsonschema.Draft7Validator.check_schema(body_schema)
        body = jsonschema.Draft7Validator(body_schema, format_checker=jsonschema.FormatChecker())
    headers = {
        name: jsonschema.Draft7Validator(to_json_schema(header["schema"]))
        for name, header in (declared.get("headers") or {}).items()
    }
    return body, headers


def check_response(method: str, path: str, response) -> None:
    """Fail unless the status is declared for the operation and the body and headers match its schemas."""
    expected = _expectations(method, route_of(path), response.status)
    assert expected is not None, f"{method} {path}: status {response.status} is not in openapi.yaml ({response})"
    body, headers = expected
    if body is None:
        assert not response.body, f"{method} {path}: {response.status} must have no body"
    else:
        assert response.headers.get("Content-Type", "").startswith("application/json")
        body.validate(response.json())
    for name, validator in headers.items():
        assert name in response.headers, f"{method} {path}: header {name} missing"
        validator.validate(response.headers[name])


class ContractChecked:
    """Wraps any ApiClient and checks every response against openapi.yaml before returning it."""

    def __init__(self, inner):
        self.inner = inner
        self.checked = 0

    def request(self, user, method, path, **kwargs):
        response = self.inner.request(user, method, path, **kwargs)
        check_response(method.upper(), path.split("?", 1)[0], response)
        self.checked += 1
        return response
