"""One HTTP call of an operation, with the retries that are safe and the headers that make them so.

- **Retries.** A connection error, a timeout, a 429 or a 500/502/503/504 is retried with capped, jittered
  exponential backoff (a Retry-After in seconds is honoured, within the cap). Only requests that are safe
  to repeat are retried: reads, writes carrying `If-Match`, and creates carrying an `Idempotency-Key`.
- **Idempotency-Key.** Every create sends one (uuid4, or the caller's own, e.g. one a mobile app persisted
  with its outbox), and every retry of that create sends the same key, so a server that honours it creates
  one item however often the network fails.
- **Read-your-writes.** API Gateway's stage cache may answer a read from before the caller's own write.
  For `fresh_window` seconds after a write (default 300: at least the stage cache's TTL, 30 s for todos
  and 60 s for the blog by default), reads send `Cache-Control: max-age=0`,
  which a stage that allows it answers from the backend. Only a signed-in client sends it: stages let
  authorized callers alone bypass their cache.
- **Tokens.** A 401 on a signed-in call refreshes the token once and repeats the call (a token can expire
  between the check and the call).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from platform_client import errors
from platform_client.operations import Operation

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TokenSource = Callable[[bool], str]  # token(force_refresh) -> an ID token


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # in all, the first included
    base_delay: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_delay)
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: Any  # the decoded JSON, or None for an empty answer


class Transport:
    def __init__(
        self,
        base_url: str,
        *,
        token: TokenSource | None = None,
        retry: RetryPolicy | None = None,
        fresh_window: float = 300.0,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.retry = retry or RetryPolicy()
        self.fresh_window = fresh_window
        self.timeout = timeout
        self.http = session or requests.Session()
        self._sleep = sleep
        self._clock = clock
        self._last_write: float | None = None

    def call(
        self,
        op: Operation,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> Reply:
        url = self.base_url + op.path.format_map({k: quote(str(v), safe="") for k, v in (path or {}).items()})
        sent = {"Accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if op.creates:
            sent["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        if not op.writes and self.token is not None and self._within_fresh_window():
            sent["Cache-Control"] = "max-age=0"
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        repeatable = not op.writes or op.creates or "If-Match" in sent
        reply = self._send(op.method, url, params, data, sent, repeatable)
        if op.writes:
            self._last_write = self._clock()
        return reply

    def _within_fresh_window(self) -> bool:
        return self._last_write is not None and self._clock() - self._last_write < self.fresh_window

    def _send(self, method: str, url: str, params: dict, data: bytes | None, headers: dict, repeatable: bool) -> Reply:
        refreshed = force_refresh = False
        attempt = 0
        while True:
            if self.token is not None:
                headers["Authorization"] = self.token(force_refresh)
                force_refresh = False
            retry_after = None
            try:
                response = self.http.request(method, url, params=params, data=data, headers=headers,
                                             timeout=self.timeout)  # fmt: skip
            except (requests.ConnectionError, requests.Timeout):
                if not repeatable or attempt + 1 >= self.retry.attempts:
                    raise
            else:
                if response.status_code == 401 and self.token is not None and not refreshed:
                    refreshed = force_refresh = True
                    continue
                if response.status_code < 400:
                    return Reply(response.status_code, response.headers, _decoded(response))
                if response.status_code not in RETRY_STATUSES or not repeatable or attempt + 1 >= self.retry.attempts:
                    raise errors.from_response(response.status_code, response.content, dict(response.headers))
                retry_after = response.headers.get("Retry-After")
            self._sleep(self.retry.delay(attempt, retry_after))
            attempt += 1


def _decoded(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise errors.ApiError(response.status_code, "the answer is not JSON", "NotJson",
                              headers=dict(response.headers)) from None  # fmt: skip


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
