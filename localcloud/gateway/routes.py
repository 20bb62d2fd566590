"""Swagger 2.0 / OpenAPI 3 paths → a route table matched as API Gateway matches resources.

A REST API picks the most specific resource first (literal segments beat `{param}`, which beats a greedy
`{proxy+}`), then the method on it (an exact method beats `x-amazon-apigateway-any-method`). An HTTP API
picks among the routes whose method fits, by the same specificity, then falls back to `$default`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ANY = "x-amazon-apigateway-any-method"

LITERAL, PARAM, GREEDY = 0, 1, 2


@dataclass
class Route:
    resource: str  # the resource path as declared, e.g. "/items/{id}"
    method: str  # "GET", ... or "ANY"
    operation: dict[str, Any]
    path_parameters: list[dict[str, Any]] = field(default_factory=list)
    segments: list[tuple[int, str]] = field(default_factory=list)

    @property
    def integration(self) -> dict[str, Any]:
        return self.operation.get("x-amazon-apigateway-integration") or {}

    @property
    def parameters(self) -> list[dict[str, Any]]:
        merged = {(p.get("in"), p.get("name")): p for p in self.path_parameters if isinstance(p, dict)}
        for p in self.operation.get("parameters") or ():
            if isinstance(p, dict):
                merged[(p.get("in"), p.get("name"))] = p
        return list(merged.values())

    @property
    def route_key(self) -> str:
        if self.resource == "$default":
            return "$default"
        return f"{self.method} {self.resource}"


def parse_segments(resource: str) -> list[tuple[int, str]]:
    out = []
    for seg in resource.strip("/").split("/") if resource.strip("/") else []:
        if seg.startswith("{") and seg.endswith("+}"):
            out.append((GREEDY, seg[1:-2]))
        elif seg.startswith("{") and seg.endswith("}"):
            out.append((PARAM, seg[1:-1]))
        else:
            out.append((LITERAL, seg))
    return out


class RouteTable:
    def __init__(self, paths: dict[str, Any]):
        self.routes: list[Route] = []
        self.default: Route | None = None
        for resource, item in (paths or {}).items():
            if not isinstance(item, dict):
                continue
            shared = item.get("parameters") or []
            for key, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                if key.lower() in HTTP_METHODS:
                    method = key.upper()
                elif key == ANY:
                    method = "ANY"
                else:
                    continue
                route = Route(resource, method, operation, shared, parse_segments(resource))
                if resource == "$default":
                    self.default = route
                else:
                    self.routes.append(route)

        self._by_resource: dict[str, list[Route]] = {}
        for r in self.routes:
            self._by_resource.setdefault(r.resource, []).append(r)

    def resources(self) -> dict[str, list[Route]]:
        return self._by_resource

    def match_rest(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        """REST: most specific resource, then its method; None if either is missing."""
        parts = _split(path)
        best: tuple[tuple, str, dict[str, str]] | None = None
        for resource, routes in self.resources().items():
            params = _match(routes[0].segments, parts)
            if params is None:
                continue
            rank = _rank(routes[0].segments)
            if best is None or rank < best[0]:
                best = (rank, resource, params)
        if best is None:
            return None, {}
        routes = self.resources()[best[1]]
        for wanted in (method, "ANY"):
            for r in routes:
                if r.method == wanted:
                    return r, best[2]
        return None, {}

    def match_http(self, method: str, path: str) -> tuple[Route | None, dict[str, str]]:
        """HTTP API: most specific route whose method fits, else `$default`."""
        parts = _split(path)
        best: tuple[tuple, Route, dict[str, str]] | None = None
        for r in self.routes:
            if r.method not in (method, "ANY"):
                continue
            params = _match(r.segments, parts)
            if params is None:
                continue
            rank = (*_rank(r.segments), r.method == "ANY")
            if best is None or rank < best[0]:
                best = (rank, r, params)
        if best is not None:
            return best[1], best[2]
        return self.default, {}


def _split(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _rank(segments: list[tuple[int, str]]) -> tuple:
    # Compare segment by segment; a shorter literal path beats nothing, so pad with a neutral rank.
    return (*(kind for kind, _ in segments), GREEDY + 1)


def _match(segments: list[tuple[int, str]], parts: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, (kind, name) in enumerate(segments):
        if kind == GREEDY:
            rest = parts[i:]
            if not rest or i != len(segments) - 1:
                return None
            params[name] = unquote("/".join(rest))
            return params
        if i >= len(parts):
            return None
        if kind == LITERAL:
            if unquote(parts[i]) != name:
                return None
        else:
            if parts[i] == "":
                return None
            params[name] = unquote(parts[i])
    if len(parts) != len(segments):
        return None
    return params
