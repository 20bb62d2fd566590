"""Every service's openapi.yaml as the tests use it: routes, parameters, JSON Schemas and response checks.

`OpenApi` reads one document (OpenAPI 3.0: `nullable` becomes a `null` type, `$ref`s are resolved).
Patterns are checked with their ECMA-262 meaning, as the services check them (common.validation), so a
response the contract rejects is one a JavaScript client would reject too. `discover()` finds each
`services/*/openapi.yaml` and the localcloud address of the API that serves it, so a new service's API
is tested as soon as it has one.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from common.validation import ecma_schema
from requests.structures import CaseInsensitiveDict

from tests.templates.cfn import load_template

ROOT = Path(__file__).resolve().parents[2]
_ANNOTATIONS = {"description", "example", "examples", "title_", "externalDocs", "xml", "deprecated"}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_API_TYPES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")


@dataclass
class Response:
    """An HTTP response as a client sees it, whichever way the request travelled."""

    status: int
    headers: CaseInsensitiveDict
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"Response({self.status}, {self.body[:300]!r})"


def to_json_schema(schema: Any) -> Any:
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


def validator(schema: dict) -> jsonschema.Draft7Validator:
    """A draft 7 validator with format checks and ECMA-262 patterns."""
    translated = ecma_schema(schema)
    jsonschema.Draft7Validator.check_schema(translated)
    return jsonschema.Draft7Validator(translated, format_checker=jsonschema.FormatChecker())


class OpenApi:
    def __init__(self, path: Path):
        self.path = path
        self._expectations = cache(self._expectations_uncached)

    @cached_property
    def document(self) -> dict:
        return yaml.safe_load(self.path.read_text())

    def resolve(self, node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                target = self.document
                for part in node["$ref"].removeprefix("#/").split("/"):
                    target = target[part]
                return self.resolve(copy.deepcopy(target))
            return {k: self.resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve(v) for v in node]
        return node

    def schema(self, name: str) -> dict:
        """A component schema, references resolved, as JSON Schema."""
        return to_json_schema(self.resolve(self.document["components"]["schemas"][name]))

    def routes(self) -> set[tuple[str, str]]:
        return {
            (method.upper(), path)
            for path, item in self.document["paths"].items()
            for method in item
            if method in METHODS
        }

    def operation(self, method: str, path: str) -> dict:
        return self.resolve(self.document["paths"][path][method.lower()])

    def parameters(self, method: str, path: str) -> list[dict]:
        """The operation's parameters, path-level ones included (an operation's own wins on a clash)."""
        item = self.document["paths"][path]
        merged = {}
        for param in self.resolve(item.get("parameters", []) + item[method.lower()].get("parameters", [])):
            merged[(param["name"], param["in"])] = param
        return list(merged.values())

    def parameter(self, method: str, path: str, name: str) -> dict:
        for param in self.parameters(method, path):
            if param["name"] == name:
                return param
        raise KeyError(name)

    def route_of(self, path: str) -> str:
        """The OpenAPI path template a concrete path belongs to."""
        for template in self.document["paths"]:
            if re.fullmatch(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)), path):
                return template
        raise KeyError(path)

    def _expectations_uncached(self, method: str, route: str, status: int):
        """(body validator, a non-JSON media type, or None; {header: validator}; the other media types declared
        beside JSON, e.g. a page for a form post) for a declared response; None when undeclared."""
        declared = self.operation(method, route)["responses"].get(str(status))
        if declared is None:
            return None
        content = declared.get("content")
        if content and "application/json" not in content:
            body = next(iter(content))  # a page (text/html): its media type, and a body of any text
        else:
            body = validator(to_json_schema(content["application/json"]["schema"])) if content else None
        headers = {name: validator(to_json_schema(h["schema"])) for name, h in (declared.get("headers") or {}).items()}
        others = tuple(media for media in content or () if media != "application/json")
        return body, headers, others

    def check_response(self, method: str, path: str, response: Response) -> None:
        """Fail unless the status is declared for the operation and the body and headers match its schemas."""
        self.check_route_response(method, self.route_of(path), response, where=path)

    def check_route_response(self, method: str, route: str, response: Response, *, where: str = "") -> None:
        """`check_response` for a route template (`/todos/{todoId}`), whatever the concrete path."""
        path = where or route
        expected = self._expectations(method, route, response.status)
        where = f"{method} {path}: status {response.status}"
        assert expected is not None, f"{where} is not in {self.path.relative_to(ROOT)} ({response})"
        body, headers, others = expected
        media_type = response.headers.get("Content-Type", "")
        if not isinstance(body, str) and any(media_type.startswith(other) for other in others):
            assert response.body, f"{where}: no {media_type} body"
        elif body is None:
            assert not response.body, f"{method} {path}: {response.status} must have no body"
        elif isinstance(body, str):
            assert response.headers.get("Content-Type", "").startswith(body), f"{where}: not {body}"
            assert response.body, f"{where}: no {body} body"
        else:
            assert response.headers.get("Content-Type", "").startswith("application/json")
            body.validate(response.json())
        for name, header in headers.items():
            assert name in response.headers, f"{method} {path}: header {name} missing"
            header.validate(response.headers[name])


class ContractChecked:
    """Wraps any API client and checks every response against the OpenAPI document before returning it."""

    def __init__(self, inner, api: OpenApi):
        self.inner = inner
        self.api = api
        self.checked = 0

    def request(self, user, method, path, **kwargs):
        response = self.inner.request(user, method, path, **kwargs)
        self.api.check_response(method.upper(), path.split("?", 1)[0], response)
        self.checked += 1
        return response


@dataclass(frozen=True)
class ServiceApi:
    service: str
    spec: OpenApi
    address: str  # localcloud's name for the API: "<nested stack>/<Api logical id>", as in endpoints.json


def _api_routes(resources: dict, api_id: str) -> set[tuple[str, str]]:
    """The (METHOD, path) routes of one explicit API: its inline definition's (direct integrations) and
    those its functions' events put on it."""
    definition = (resources[api_id].get("Properties") or {}).get("DefinitionBody")
    paths = definition.get("paths", {}) if isinstance(definition, dict) else {}
    routes = {(method.upper(), path) for path, item in paths.items() for method in item if method in METHODS}
    for resource in resources.values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for event in (resource.get("Properties") or {}).get("Events", {}).values():
            props = event.get("Properties") or {}
            if (props.get("RestApiId") or props.get("ApiId")) == {"Ref": api_id}:
                routes.add((props["Method"].upper(), props["Path"]))
    return routes


def discover() -> list[ServiceApi]:
    """Every services/<name>/openapi.yaml, with the API of the root template that serves its routes."""
    root = load_template("template.yaml")["Resources"]
    stacks = {
        res["Properties"]["Location"]: logical_id
        for logical_id, res in root.items()
        if res.get("Type") == "AWS::Serverless::Application"
    }
    found = []
    for spec_path in sorted(ROOT.glob("services/*/openapi.yaml")):
        service = spec_path.parent.name
        template = f"services/{service}/template.yaml"
        assert template in stacks, f"{spec_path}: no application in template.yaml nests {template}"
        resources = load_template(template)["Resources"]
        apis = [logical_id for logical_id, res in resources.items() if res.get("Type") in _API_TYPES]
        spec = OpenApi(spec_path)
        serving = [api for api in apis if _api_routes(resources, api) == spec.routes()]
        assert len(serving) == 1, f"{spec_path}: exactly one API of {template} must serve its routes, not {serving}"
        found.append(ServiceApi(service, spec, f"{stacks[template]}/{serving[0]}"))
    return found
