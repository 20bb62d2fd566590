"""Request validation where a REST API asks for it: required parameters and JSON-Schema body models."""

from __future__ import annotations

import json
import threading
from typing import Any

import jsonschema

from localcloud.gateway.apis import Api
from localcloud.gateway.routes import Route


class Invalid(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Validators:
    def __init__(self):
        self._compiled: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def check(self, api: Api, route: Route, params: dict[str, dict[str, str]], body: bytes, content_type: str) -> None:
        name = route.operation.get("x-amazon-apigateway-request-validator") or api.default_validator
        if not name:
            return
        validator = api.validators.get(name) or {}
        if validator.get("validateRequestParameters"):
            missing = []
            for p in route.parameters:
                if not p.get("required") or p.get("in") not in ("header", "query", "path"):
                    continue
                kind = {"query": "querystring"}.get(p["in"], p["in"])
                values = params.get(kind, {})
                present = (
                    any(k.lower() == str(p.get("name", "")).lower() for k in values)
                    if kind == "header"
                    else p.get("name") in values
                )
                if not present:
                    missing.append(str(p.get("name")))
            if missing:
                raise Invalid("BAD_REQUEST_PARAMETERS", f"Missing required request parameters: [{', '.join(missing)}]")
        if validator.get("validateRequestBody"):
            schema = self._body_schema(api, route, content_type)
            if schema is None:
                return
            try:
                document = json.loads(body) if body else None
            except (ValueError, UnicodeDecodeError):
                raise Invalid("BAD_REQUEST_BODY", "Invalid request body") from None
            errors = sorted(schema.iter_errors(document), key=lambda e: list(e.path))
            if errors:
                raise Invalid("BAD_REQUEST_BODY", "Invalid request body")

    def _body_schema(self, api: Api, route: Route, content_type: str):
        key = (api.api_id, route.resource, route.method)
        with self._lock:
            if key in self._compiled:
                return self._compiled[key]
        schema = None
        for p in route.parameters:
            if p.get("in") == "body" and isinstance(p.get("schema"), dict):
                schema = p["schema"]
        content = ((route.operation.get("requestBody") or {}).get("content")) or {}
        if schema is None and content:
            mime = (content_type or "application/json").split(";")[0].strip()
            schema = (content.get(mime) or content.get("application/json") or {}).get("schema")
        compiled = None
        if isinstance(schema, dict):
            definitions = api.models
            ref_root = {"definitions": definitions, "components": {"schemas": definitions}}
            resolver_schema = {**schema, **{k: v for k, v in ref_root.items() if k not in schema}}
            compiled = jsonschema.Draft4Validator(resolver_schema)
        with self._lock:
            self._compiled[key] = compiled
        return compiled
