"""The todos API over real HTTP through localcloud's gateway, with real Cognito tokens per user name."""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from tests.support.localcloud import LocalCloudProcess
from tests.todos.client import NO_JSON, QueryValue, Response

API_ADDRESS = "Todos/TodosApi"


class HttpApi:
    def __init__(self, cloud: LocalCloudProcess, namespace: str = ""):
        self.cloud = cloud
        self.namespace = namespace
        self.base = cloud.api_url(API_ADDRESS)
        self.session = requests.Session()

    def request(
        self,
        user: str | None,
        method: str,
        path: str,
        *,
        json: Any = NO_JSON,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, QueryValue] | None = None,
    ) -> Response:
        # A header value outside Latin-1 goes as raw UTF-8 bytes, as curl or a browser would send it.
        sent = {name: value if value.isascii() else value.encode() for name, value in (headers or {}).items()}
        data = body
        if json is not NO_JSON:
            data = jsonlib.dumps(json).encode()
            sent.setdefault("Content-Type", "application/json")
        if user is not None:
            sent["Authorization"] = self.cloud.tokens(f"{user}-{self.namespace}" if self.namespace else user)["IdToken"]
        reply = self.session.request(method, self.base + path, params=query, data=data, headers=sent, timeout=60)
        return Response(status=reply.status_code, headers=CaseInsensitiveDict(reply.headers), body=reply.content)
