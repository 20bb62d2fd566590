"""The users `bench/load.py` runs in locust (in .venv-bench, never .venv): 90 % reads, 10 % writes.

Reads: the todos API (GET /todos, GET /todos/{id}) with the id token of one of several users, and the blog
(GET /posts, /posts/{slug}, /posts/popular) straight from its API and through the CDN (a post's page and
the same API under /api/*). Writes: POST /todos and PATCH /todos/{id}. What to call comes from the plan
file that load.py wrote (LOAD_PLAN); every request's kind, name, status, duration, failure, end time, body bytes
and X-Cache go to LOAD_SAMPLES when locust quits, so load.py computes exact percentiles and counts 429s apart.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 (read once at import)
WAIT = PLAN["wait_seconds"]
SAMPLES: list[list] = []
_accounts = itertools.cycle(PLAN["users"])


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **_kwargs) -> None:
    status = getattr(response, "status_code", 0) or 0
    headers = getattr(response, "headers", None) or {}
    cache = headers.get("x-cache") or headers.get("X-Cache") or ""
    SAMPLES.append([request_type, name, status, response_time, exception is not None, time.time(),
                    response_length or 0, cache])  # fmt: skip


@events.quitting.add_listener
def _save(**_kwargs) -> None:
    with open(os.environ["LOAD_SAMPLES"], "w") as out:
        json.dump(SAMPLES, out)


class Reader(FastHttpUser):
    """One signed-in app user who also reads the blog; think time `wait_seconds` between requests."""

    host = PLAN["todos_api"]
    wait_time = between(*WAIT)

    def on_start(self) -> None:
        account = next(_accounts)
        self.auth = {"Authorization": account["token"]}
        self.todo_ids = list(account["todo_ids"])

    def _get(self, url: str, name: str, headers: dict | None = None) -> None:
        with self.client.get(url, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(20)
    def list_todos(self) -> None:
        self._get(f"{PLAN['todos_api']}/todos", "GET /todos", self.auth)

    @task(20)
    def get_todo(self) -> None:
        self._get(f"{PLAN['todos_api']}/todos/{random.choice(self.todo_ids)}", "GET /todos/{id}", self.auth)

    @task(8)
    def api_posts(self) -> None:
        self._get(f"{PLAN['blog_api']}/posts", "GET api /posts")

    @task(8)
    def api_post(self) -> None:
        self._get(f"{PLAN['blog_api']}/posts/{random.choice(PLAN['slugs'])}", "GET api /posts/{slug}")

    @task(6)
    def api_popular(self) -> None:
        self._get(f"{PLAN['blog_api']}/posts/popular", "GET api /posts/popular")

    @task(10)
    def cdn_page(self) -> None:
        self._get(f"{PLAN['cdn']}/posts/{random.choice(PLAN['slugs'])}", "GET cdn /posts/{slug} (page)")

    @task(6)
    def cdn_posts(self) -> None:
        self._get(f"{PLAN['cdn']}/api/posts", "GET cdn /api/posts")

    @task(6)
    def cdn_post(self) -> None:
        self._get(f"{PLAN['cdn']}/api/posts/{random.choice(PLAN['slugs'])}", "GET cdn /api/posts/{slug}")

    @task(6)
    def cdn_popular(self) -> None:
        self._get(f"{PLAN['cdn']}/api/posts/popular", "GET cdn /api/posts/popular")

    @task(5)
    def create_todo(self) -> None:
        body = {"title": f"load {random.randrange(10**6)}"}
        with self.client.post(
            f"{PLAN['todos_api']}/todos", name="POST /todos", json=body, headers=self.auth, catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}")
            else:
                self.todo_ids.append(response.json()["todoId"])

    @task(5)
    def patch_todo(self) -> None:
        url = f"{PLAN['todos_api']}/todos/{random.choice(self.todo_ids)}"
        body = {"done": random.random() < 0.5}
        with self.client.request(
            "PATCH", url, name="PATCH /todos/{id}", json=body, headers=self.auth, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
