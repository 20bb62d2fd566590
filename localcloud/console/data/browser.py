"""Routes of the data browser. Reads are GETs; the only writes are the user actions, guarded POSTs.

Every store is looked up in the deployment first (`catalog`), then read through the local AWS endpoint
(boto3), except queues, which are read from moto's model so that a peek changes nothing (`queues`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from botocore.exceptions import ClientError

from localcloud.console.data import buckets, catalog, pages, queues, tables, topics, users
from localcloud.console.guard import PostGuard
from localcloud.console.pages import href
from localcloud.console.responses import download, error, html, json_response, redirect
from localcloud.model import HttpRequest, HttpResponse

_NOT_FOUND = ("ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "404", "NotFound", "UserNotFoundException")


class DataBrowser:
    def __init__(self, runtime: Any, guard: PostGuard):
        self.runtime = runtime
        self.guard = guard

    @property
    def _where(self) -> tuple[str, str]:
        return self.runtime.deployment.account_id, self.runtime.deployment.region

    def handle(self, req: HttpRequest, rest: str, query: dict[str, str], as_json: bool) -> HttpResponse:
        parts = rest.split("/") if rest else []
        method = req.method.upper()
        is_action = len(parts) == 3 and parts[0] == "users" and parts[2] in users.ACTIONS
        if is_action:
            if method != "POST":
                return error(405, "Method not allowed", "User actions are POSTs (the buttons).", allow="POST")
            return self._user_action(req, parts[1], parts[2], as_json)
        if method not in ("GET", "HEAD"):
            return error(405, "Method not allowed", f"/_local/data/{rest} answers GET only.", allow="GET, HEAD")
        try:
            return self._read(parts, query, as_json)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            status = 404 if code in _NOT_FOUND else 502
            return self._problem(status, "AWS error", f"{code}: {exc.response['Error'].get('Message', exc)}", as_json)
        except queues.NoSuchQueue as exc:
            return self._problem(404, "No such queue", f"queue {exc} does not exist in moto", as_json)

    def _read(self, parts: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        if not parts:
            sections = self._overview()
            return json_response(sections) if as_json else html(pages.overview(sections))
        if len(parts) < 2 or parts[0] not in catalog.KINDS:
            return self._problem(404, "Not found", f"/_local/data/{'/'.join(parts)} is not a data page.", as_json)
        kind, name, tail = parts[0], parts[1], parts[2:]
        store = catalog.find(self.runtime.deployment, kind, name)
        if store is None:
            known = ", ".join(s.name for s in catalog.stores(self.runtime.deployment, kind)) or "none"
            return self._problem(
                404, "Not found", f"The deployment has no {kind[:-1]} {name} (it has: {known}).", as_json
            )
        readers: dict[str, Callable[[catalog.Store, list[str], dict[str, str], bool], HttpResponse]] = {
            "tables": self._table,
            "buckets": self._bucket,
            "queues": self._queue,
            "topics": self._topic,
            "users": self._users,
        }
        return readers[kind](store, tail, query, as_json)

    def _problem(self, status: int, title: str, detail: str, as_json: bool) -> HttpResponse:
        return json_response({"error": detail}, status=status) if as_json else error(status, title, detail)

    # the overview -----------------------------------------------------------------------------------

    def _overview(self) -> dict[str, list[dict]]:
        summaries: dict[str, Callable[[catalog.Store], str]] = {
            "tables": lambda s: f"about {tables.describe(self.runtime.aws('dynamodb'), s.name)['item_count']} items",
            "buckets": self._object_count,
            "queues": lambda s: "{visible} visible, {in_flight} in flight".format(
                **queues.counts(*self._where, s.name)
            ),
            "topics": lambda s: f"{topics.count(self.runtime.aws('sns'), s.ref)} subscriptions",
            "users": lambda s: f"{users.count(self.runtime.aws('cognito-idp'), s.name)} users",
        }
        sections: dict[str, list[dict]] = {}
        for kind, summary in summaries.items():
            rows = []
            for store in catalog.stores(self.runtime.deployment, kind):
                try:
                    text = summary(store)
                except Exception as exc:  # one broken store must not hide the others
                    text = f"unavailable: {type(exc).__name__}"
                rows.append({"name": store.name, "address": store.address, "summary": text})
            sections[kind] = rows
        return sections

    def _object_count(self, store: catalog.Store) -> str:
        count = self.runtime.aws("s3").list_objects_v2(Bucket=store.name, MaxKeys=1000).get("KeyCount", 0)
        return f"{count}{'+' if count >= 1000 else ''} objects"

    # one store --------------------------------------------------------------------------------------

    def _table(self, store: catalog.Store, tail: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        if tail:
            return self._problem(404, "Not found", "A table has no sub-pages.", as_json)
        ddb = self.runtime.aws("dynamodb")
        info = tables.describe(ddb, store.name)
        try:
            result, problem = tables.items(ddb, info, query), None
        except (tables.QueryError, ClientError) as exc:
            result, problem = None, str(exc)
        if as_json:
            return json_response({"table": info, **(result or {}), **({"error": problem} if problem else {})},
                                 status=400 if problem else 200)  # fmt: skip
        return html(pages.table_page(info, result, query, problem), status=400 if problem else 200)

    def _bucket(self, store: catalog.Store, tail: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        s3 = self.runtime.aws("s3")
        if not tail:
            listing = buckets.listing(s3, store.name, query.get("prefix", ""), query.get("token") or None)
            return json_response(listing) if as_json else html(pages.bucket_page(listing))
        key = query.get("key", "")
        if not key or tail not in (["object"], ["download"]):
            return self._problem(404, "Not found", "Name the object with ?key=…", as_json)
        if tail == ["download"]:
            body, content_type = buckets.content(s3, store.name, key)
            return download(body, key.rsplit("/", 1)[-1], content_type)
        meta = buckets.metadata(s3, store.name, key)
        return json_response(meta) if as_json else html(pages.object_page(meta))

    def _queue(self, store: catalog.Store, tail: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        summary = queues.summary(*self._where, store.name)
        messages = queues.peek(*self._where, store.name)
        if as_json:
            return json_response({**summary, "messages": messages})
        return html(pages.queue_page(summary, messages))

    def _topic(self, store: catalog.Store, tail: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        info = topics.describe(self.runtime.aws("sns"), store.ref)
        if as_json:
            return json_response(info)
        queue_names = {s.name for s in catalog.stores(self.runtime.deployment, "queues")}
        return html(pages.topic_page(info, queue_names))

    def _users(self, store: catalog.Store, tail: list[str], query: dict[str, str], as_json: bool) -> HttpResponse:
        idp = self.runtime.aws("cognito-idp")
        pool, found = users.pool(idp, store.name), users.users(idp, store.name)
        if as_json:
            return json_response({**pool, "users": found})
        return html(pages.users_page(pool, found, self.guard.token))

    # the writes -------------------------------------------------------------------------------------

    def _user_action(self, req: HttpRequest, pool_id: str, action: str, as_json: bool) -> HttpResponse:
        refusal = self.guard.refusal(req, action.capitalize())
        if refusal:
            return self._problem(403, "Forbidden", refusal, as_json)
        if catalog.find(self.runtime.deployment, "users", pool_id) is None:
            return self._problem(404, "Not found", f"The deployment has no user pool {pool_id}.", as_json)
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        username = form.get("username", "")
        if not username:
            return self._problem(400, "Bad request", "Post the username.", as_json)
        try:
            users.act(self.runtime.aws("cognito-idp"), pool_id, username, action)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            message = f"{code}: {exc.response['Error'].get('Message', exc)}"
            return self._problem(404 if code in _NOT_FOUND else 400, "Cannot " + action, message, as_json)
        if as_json:
            return json_response({"ok": True, "action": action, "username": username})
        return redirect(href("data", "users", pool_id))
