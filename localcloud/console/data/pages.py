"""HTML of the data browser. Item values, keys, bodies and user attributes are user content: all escaped."""

from __future__ import annotations

from typing import Any

from localcloud.console import views
from localcloud.console.data.catalog import KINDS
from localcloud.console.data.tables import SORT_OPERATORS
from localcloud.console.pages import e, href, layout, link, pre, table, when

MAX_COLUMNS = 10


def _title(kind: str, name: str) -> str:
    return f"{KINDS[kind][1][:-1] if kind != 'users' else 'User pool'} {name}"


def _back(kind: str, name: str, *extra: str) -> str:
    links = [link(href("data"), "← data")]
    links.append(link(href("api", "data", kind, name, *extra), "JSON"))
    return f"<p>{' · '.join(links)}</p>"


def overview(sections: dict[str, list[dict]]) -> str:
    body = ""
    for kind, rows in sections.items():
        cells = [
            [link(href("data", kind, r["name"]), r["name"]), e(r["address"]), e(r.get("summary", ""))] for r in rows
        ]
        body += f"<h2>{e(KINDS[kind][1])}</h2>" + table(["name", "resource", "now"], cells, "None in this deployment.")
    return layout("Data", body + f'<p class="muted">{link(href("api", "data"), "JSON")}</p>', section="/data")


def _time(value: Any) -> str:
    return when(value.timestamp()) if hasattr(value, "timestamp") else e(value)


def _value(value: Any) -> str:
    if isinstance(value, str):
        return e(value)
    return f"<code>{e(views.to_json(value))}</code>"


def _columns(items: list[dict], key_names: list[str]) -> list[str]:
    columns = list(dict.fromkeys(k for k in key_names if k))
    for item in items:
        for name in item:
            if name not in columns:
                columns.append(name)
    return columns


def _query_form(info: dict, query: dict[str, str]) -> str:
    index = query.get("index") or ""
    options = "".join(
        f'<option value="{e(name)}"{" selected" if name == index else ""}>'
        f"{e(name or 'table')} ({e(keys['partition'])}{', ' + e(keys['sort']) if keys['sort'] else ''})</option>"
        for name, keys in info["indexes"].items()
    )
    ops = "".join(
        f"<option{' selected' if op == (query.get('op') or '=') else ''}>{e(op)}</option>" for op in SORT_OPERATORS
    )

    def field(name: str, label: str, size: int = 24) -> str:
        return f'<label>{e(label)} <input name="{name}" value="{e(query.get(name, ""))}" size="{size}"></label>'

    return (
        f'<form method="get" action="{e(href("data", "tables", info["name"]))}">'
        f'<label>index <select name="index">{options}</select></label>'
        + field("pk", "partition key =")
        + f'<label>sort key <select name="op">{ops}</select></label>'
        + field("sk", "value")
        + field("sk2", "and (between)", 12)
        + field("limit", "limit", 4)
        + '<button>Query</button> <span class="muted">(no partition key value: scan)</span></form>'
    )


def table_page(info: dict, result: dict | None, query: dict[str, str], problem: str | None) -> str:
    keys = info["indexes"][""]
    facts = (
        f"<p>Partition key <code>{e(keys['partition'])}</code>"
        + (f", sort key <code>{e(keys['sort'])}</code>" if keys["sort"] else "")
        + f" · about {e(info['item_count'])} items"
        + (f" · stream {e(info['stream'])}" if info["stream"] else "")
        + "</p>"
    )
    body = facts + _query_form(info, query)
    if problem:
        body += f'<p class="err">{e(problem)}</p>'
    if result is not None:
        index_keys = info["indexes"].get(result["index"], keys)
        columns = _columns(
            result["items"], [keys["partition"], keys["sort"], index_keys["partition"], index_keys["sort"]]
        )
        shown, rest = columns[:MAX_COLUMNS], columns[MAX_COLUMNS:]
        headers = shown + (["more"] if rest else [])
        rows = []
        for item in result["items"]:
            cells = [_value(item[c]) if c in item else "" for c in shown]
            if rest:
                cells.append(pre(views.to_json({c: item[c] for c in rest if c in item}, indent=1)))
            rows.append(cells)
        body += f"<h2>{e(result['mode'].capitalize())}: {e(len(rows))} items</h2>" + table(headers, rows, "No items.")
        if result["next"]:
            more = href("data", "tables", info["name"], **{**query, "start": result["next"]})
            body += f"<p>{link(more, 'next page →')}</p>"
    return layout(_title("tables", info["name"]), body + _back("tables", info["name"]), section="/data")


def bucket_page(listing: dict) -> str:
    bucket, prefix = listing["bucket"], listing["prefix"]
    crumbs = [link(href("data", "buckets", bucket), bucket)]
    path = ""
    for part in [p for p in prefix.split("/") if p]:
        path += part + "/"
        crumbs.append(link(href("data", "buckets", bucket, prefix=path), part))
    rows = [
        [link(href("data", "buckets", bucket, prefix=f), f.removeprefix(prefix)), "folder", "", ""]
        for f in listing["folders"]
    ]
    for obj in listing["objects"]:
        rows.append(
            [
                link(
                    href("data", "buckets", bucket, "object", key=obj["key"]),
                    obj["key"].removeprefix(prefix) or obj["key"],
                ),
                e(f"{obj['size']} bytes"),
                _time(obj["last_modified"]),
                link(href("data", "buckets", bucket, "download", key=obj["key"]), "download"),
            ]
        )
    body = f"<p>{' / '.join(crumbs)}</p>" + table(["name", "size", "last modified", ""], rows, "No objects here.")
    if listing["next"]:
        body += f"<p>{link(href('data', 'buckets', bucket, prefix=prefix, token=listing['next']), 'next page →')}</p>"
    return layout(_title("buckets", bucket), body + _back("buckets", bucket), section="/data")


def object_page(meta: dict) -> str:
    bucket, key = meta["bucket"], meta["key"]
    rows = [[f"<b>{e(k)}</b>", _value(v.isoformat() if hasattr(v, "isoformat") else v)] for k, v in meta.items()
            if k not in ("bucket", "key", "Metadata", "Tags")]  # fmt: skip
    body = (
        f"<p><code>{e(key)}</code> in {link(href('data', 'buckets', bucket), bucket)}</p>"
        + table(None, rows)
        + "<h2>User metadata</h2>"
        + table(["x-amz-meta-", "value"], [[e(k), e(v)] for k, v in meta["Metadata"].items()], "None.")
        + "<h2>Tags</h2>"
        + table(["tag", "value"], [[e(k), e(v)] for k, v in meta["Tags"].items()], "None.")
        + f"<p>{link(href('data', 'buckets', bucket, 'download', key=key), 'Download')}</p>"
    )
    return layout(key.rsplit("/", 1)[-1] or key, body + _back("buckets", bucket, "object"), section="/data")


def _counts(counts: dict | None) -> str:
    if counts is None:
        return '<span class="muted">unknown</span>'
    return e(f"{counts['visible']} visible, {counts['in_flight']} in flight, {counts['delayed']} delayed")


def queue_page(summary: dict, messages: list[dict]) -> str:
    dlq = summary["dead_letter_queue"]
    facts = [
        ["Messages", _counts(summary["counts"])],
        ["Visibility timeout", e(f"{summary['visibility_timeout']} s")],
        ["FIFO", e("yes" if summary["fifo"] else "no")],
        ["Dead-letter queue",
         (link(href("data", "queues", dlq), dlq) + f" after {e(summary['max_receive_count'])} receives: "
          + _counts(summary["dead_letter_counts"])) if dlq else '<span class="muted">none</span>'],
        ["Dead-letter queue of", " ".join(link(href("data", "queues", q), q) for q in summary["dead_letter_sources"])
         or '<span class="muted">no queue</span>'],
    ]  # fmt: skip
    rows = [
        [
            f"<code>{e(m['message_id'])}</code>",
            e(m["state"]) + (f" ({e(m['visible_in_seconds'])} s left)" if m["state"] == "in flight" else ""),
            when(m["sent"]),
            e(m["receive_count"]),
            e(m["group_id"] or ""),
            pre(views.pretty(m["body"])) + (pre(views.to_json(m["attributes"], indent=1)) if m["attributes"] else ""),
        ]
        for m in messages
    ]
    body = (
        table(None, [[f"<b>{e(k)}</b>", v] for k, v in facts])
        + f"<h2>Peek (oldest {e(len(rows))})</h2>"
        + '<p class="muted">Read from the queue as it is: nothing is received, so consumers and visibility are '
        "untouched.</p>"
        + table(["message id", "state", "sent", "receives", "group", "body"], rows, "The queue is empty.")
    )
    return layout(_title("queues", summary["name"]), body + _back("queues", summary["name"]), section="/data")


def topic_page(info: dict, queue_names: set[str]) -> str:
    rows = []
    for sub in info["subscriptions"]:
        endpoint = sub["endpoint"]
        target = endpoint.rsplit(":", 1)[-1]
        shown = (
            link(href("data", "queues", target), endpoint)
            if sub["protocol"] == "sqs" and target in queue_names
            else e(endpoint)
        )
        note = '<span class="muted">localcloud fan-in to a function</span>' if sub["hidden"] else ""
        policy = (
            pre(views.to_json(sub["filter_policy"], indent=1)) + e(sub["filter_scope"]) if sub["filter_policy"] else ""
        )
        rows.append([e(sub["protocol"]), shown + " " + note, policy, e("yes" if sub["raw_delivery"] else "no")])
    body = f"<p><code>{e(info['arn'])}</code></p>" + table(
        ["protocol", "endpoint", "filter policy", "raw delivery"], rows, "No subscriptions."
    )
    return layout(_title("topics", info["name"]), body + _back("topics", info["name"]), section="/data")


def _user_button(pool_id: str, username: str, action: str, token: str) -> str:
    return (
        f'<form class="inline" method="post" action="{e(href("data", "users", pool_id, action))}">'
        f'<input type="hidden" name="username" value="{e(username)}">'
        f'<input type="hidden" name="token" value="{e(token)}">'
        f"<button>{e(action.capitalize())}</button></form> "
    )


def users_page(pool: dict, users: list[dict], token: str) -> str:
    rows = []
    for user in users:
        actions = ""
        if user["status"] == "UNCONFIRMED":
            actions += _user_button(pool["id"], user["username"], "confirm", token)
        actions += _user_button(pool["id"], user["username"], "disable" if user["enabled"] else "enable", token)
        rows.append(
            [
                e(user["username"]),
                e(user["attributes"].get("email", "")),
                e(user["status"]),
                e("yes" if user["enabled"] else "no"),
                e(", ".join(user["groups"])) or '<span class="muted">none</span>',
                _time(user["created"]),
                actions,
            ]
        )
    groups = ", ".join(g["name"] for g in pool["groups"]) or "none"
    body = f"<p>Pool <code>{e(pool['id'])}</code> ({e(pool['name'])}) · groups: {e(groups)}</p>" + table(
        ["username", "email", "status", "enabled", "groups", "created", ""], rows, "No users yet."
    )
    return layout(_title("users", pool["name"]), body + _back("users", pool["id"]), section="/data")
