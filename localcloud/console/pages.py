"""HTML pages of the console. Every dynamic value goes through `e()`: emails and logs are user content."""

from __future__ import annotations

import html
import time
from typing import Any
from urllib.parse import quote, urlencode

from localcloud.console import views

ROOT = "/_local"

HEADER_STYLE = (
    "header{background:#1d2330;padding:.6em 1.2em;font:14px/1.45 system-ui,sans-serif}"
    "header a{color:#fff;margin-right:1.2em;text-decoration:none}header a.here{border-bottom:2px solid #7cc4ff}"
)
_STYLE = (
    """
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}main{padding:1em 1.2em}
"""
    + HEADER_STYLE
    + """
table{border-collapse:collapse;background:#fff;margin:.5em 0 1.2em;width:100%}
th,td{border:1px solid #dde1e6;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#eef1f4}
pre{background:#fff;border:1px solid #dde1e6;padding:.5em;margin:.2em 0;white-space:pre-wrap;word-break:break-word}
code,pre{font:12.5px/1.4 ui-monospace,monospace}.muted{color:#6b7480}.err{color:#b3261e}
.lvl{font-weight:600;padding:0 .3em;border-radius:3px}.lvl-error,.lvl-critical{background:#fde2e0;color:#b3261e}
.lvl-warning{background:#fff1d6;color:#8a5a00}.lvl-info{background:#e3f1ff}.lvl-debug{background:#eee}
iframe{width:100%;height:28em;border:1px solid #dde1e6;background:#fff}
.chips a{margin-right:.8em}.chips a.here{font-weight:600}
.s2{color:#17692b}.s3{color:#0b5c7a}.s4{color:#8a5a00}.s5{color:#b3261e}.s2,.s3,.s4,.s5{font-weight:600}
form.inline{display:inline}input,select,button{font:inherit}label{margin-right:.6em}
"""
)

_NAV = (
    ("", "Home"),
    ("/requests", "Requests"),
    ("/events", "Events"),
    ("/logs", "Logs"),
    ("/outbox", "Outbox"),
    ("/data", "Data"),
    ("/docs", "API docs"),
    ("/edge", "Edge"),
    ("/stepfunctions", "Step Functions"),
    ("/resources", "Resources"),
)


def e(value: Any) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def href(*segments: str, **query: Any) -> str:
    """A console URL from raw segments (each percent-encoded, `/` kept) and query parameters."""
    path = ROOT + "".join("/" + quote(s, safe="/") for s in segments)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return path + ("?" + urlencode(params) if params else "")


def link(url: str, text: Any, *, here: bool = False) -> str:
    return f'<a href="{e(url)}"{" class=here" if here else ""}>{e(text)}</a>'


def when(timestamp: Any) -> str:
    if not isinstance(timestamp, (int, float)):
        return e(timestamp)
    local = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))
    return f"{local}.{int(timestamp % 1 * 1000):03d}"


def pre(text: Any) -> str:
    # The newline after <pre> is eaten by HTML parsers, so a body's own leading newline survives.
    return f"<pre>\n{e(text)}</pre>"


def nav(section: str) -> str:
    """The console's header bar, `section` highlighted."""
    links = "".join(link(ROOT + path, label, here=path == section) for path, label in _NAV)
    return f"<header><nav>{links}</nav></header>"


def layout(title: str, body: str, *, section: str = "", refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{int(refresh)}">' if refresh else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"{meta}<title>{e(title)} · localcloud</title><style>{_STYLE}</style></head>"
        f"<body>{nav(section)}<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def refresh_links(url_for: Any, refresh: int | None) -> str:
    choices = [(None, "off"), (2, "2s"), (5, "5s")]
    items = " ".join(link(url_for(r), label, here=r == refresh) for r, label in choices)
    return f'<p class="chips muted">auto-refresh: {items}</p>'


def table(headers: list[str] | None, rows: list[list[str]], empty: str = "Nothing yet.") -> str:
    """Rows are already-escaped HTML cells."""
    if not rows:
        return f'<p class="muted">{e(empty)}</p>'
    head = "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead>" if headers else ""
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table>{head}<tbody>{body}</tbody></table>"


def value_html(value: Any) -> str:
    """A config value: nested mappings as tables, http(s) URLs as links, the rest as text."""
    if isinstance(value, dict):
        if not value:
            return '<span class="muted">none</span>'
        return table(["name", "value"], [[e(k), value_html(v)] for k, v in value.items()])
    if isinstance(value, list):
        return "<br>".join(value_html(v) for v in value) or '<span class="muted">none</span>'
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return link(value, value)
    return f"<code>{e(value)}</code>"


def index(endpoints: dict, counts: dict[str, int], token: str) -> str:
    count_rows = [[link(ROOT + path, label), e(counts.get(key, 0))] for key, path, label in _COUNTED]
    reset = (
        f'<form method="post" action="{e(ROOT)}/reset">'
        f'<input type="hidden" name="token" value="{e(token)}">'
        "<button>Reset state</button> "
        '<label><input type="checkbox" name="users" value="on"> also delete users</label> '
        '<span class="muted">empties tables, buckets, queues, the outbox, the request, event and function logs; '
        "resources and ids stay</span></form>"
    )
    api = ", ".join(link(ROOT + "/api/" + p, p) for p in _JSON_TWINS)
    body = (
        "<h2>Endpoints</h2>"
        + value_html(endpoints)
        + "<h2>State</h2>"
        + table(["what", "count"], count_rows)
        + reset
        + f'<p class="muted">JSON: {api}</p>'
    )
    return layout("localcloud", body)


_JSON_TWINS = ("endpoints", "requests", "events", "logs", "outbox", "data", "docs", "resources")
_COUNTED = (
    ("requests", "/requests", "API requests"),
    ("outbox", "/outbox", "Emails in the outbox"),
    ("events", "/events", "Events"),
    ("log_lines", "/logs", "Function log lines"),
    ("resources", "/resources", "Resources"),
    ("functions", "/resources", "Functions"),
)


def events_page(entries: list[dict], counts: dict[str, int], channel: str | None, refresh: int | None) -> str:
    total = sum(counts.values())
    chips = [link(href("events", refresh=refresh), f"all ({total})", here=not channel)]
    chips += [
        link(href("events", channel=c, refresh=refresh), f"{c} ({n})", here=c == channel) for c, n in counts.items()
    ]
    rows = []
    for entry in reversed(entries):
        extras = {k: v for k, v in entry.items() if k not in ("time", "channel", "kind", "name", "body")}
        extra_html = pre(views.to_json(extras, indent=2)) if extras else ""
        rows.append(
            [
                when(entry.get("time")),
                link(href("events", channel=entry.get("channel"), refresh=refresh), entry.get("channel")),
                e(entry.get("kind")),
                e(entry.get("name")),
                pre(views.pretty(entry.get("body"))) + extra_html,
            ]
        )
    body = (
        f'<p class="chips">{" ".join(chips)}</p>'
        + refresh_links(lambda r: href("events", channel=channel, refresh=r), refresh)
        + table(["time", "channel", "kind", "name", "body"], rows, "No events yet.")
    )
    title = f"Events: {channel}" if channel else "Events"
    return layout(title, body, section="/events", refresh=refresh)


def logs_index(functions: list[dict]) -> str:
    rows = [[link(href("logs", f["function"]), f["function"]), e(f["lines"])] for f in functions]
    return layout("Function logs", table(["function", "lines"], rows, "No functions."), section="/logs")


def log_row(record: dict, function: str, refresh: int | None = None) -> list[str]:
    """One captured line as table cells: time, request link, the line (Powertools JSON laid out)."""
    request_id = record.get("request_id")
    rid = link(href("logs", function, request_id=request_id, refresh=refresh), request_id) if request_id else ""
    parsed = record.get("record")
    if parsed is None:
        return [when(record.get("time")), rid, pre(record.get("line"))]
    level = str(parsed.get("level", ""))
    message = parsed.get("message")
    message_text = message if isinstance(message, str) else views.to_json(message, indent=2)
    extras = views.log_extras(parsed)
    exception = extras.pop("exception", None)
    more = f"{len(extras)} more keys"
    entry = (
        f'<span class="lvl lvl-{e(level.lower())}">{e(level)}</span> '
        f'<span class="muted">{e(parsed.get("timestamp"))}</span>'
        + pre(message_text)
        + (f'<pre class="err">\n{e(exception)}</pre>' if exception else "")
        + (
            f"<details open><summary>{e(more)}</summary>{pre(views.to_json(extras, indent=2))}</details>"
            if extras
            else ""
        )
    )
    return [when(record.get("time")), rid, entry]


def function_logs(function: str, records: list[dict], request_id: str | None, refresh: int | None) -> str:
    rows = [log_row(r, function, refresh) for r in records]
    intro = ""
    if request_id:
        everything = link(href("logs", function, refresh=refresh), "all requests")
        intro = f"<p>Request <code>{e(request_id)}</code> · {everything}</p>"
    body = (
        intro
        + refresh_links(lambda r: href("logs", function, request_id=request_id, refresh=r), refresh)
        + table(["time", "request", "line"], rows, "No output captured.")
        + f"<p>{link(href('logs'), '← functions')} · "
        + f"{link(href('api', 'logs', function, request_id=request_id), 'JSON')}</p>"
    )
    return layout(function, body, section="/logs", refresh=refresh)


def resources_page(summary: dict, rules: list[dict] | None = None) -> str:
    body = (
        f"<p>Region <code>{e(summary['region'])}</code>, account <code>{e(summary['account_id'])}</code>, "
        f"AWS endpoint {value_html(summary['aws_endpoint'])}</p>"
    )
    for stack, resources in summary["stacks"].items():
        rows = [[e(r["logical_id"]), e(r["type"]), f"<code>{e(r['ref'])}</code>"] for r in resources]
        body += f"<h2>{e(stack or '(root)')}</h2>" + table(["logical id", "type", "physical id (Ref)"], rows)
    if not summary["stacks"]:
        body += '<p class="muted">No resources provisioned.</p>'
    rows = [
        [
            link(href("logs", f["address"]), f["address"]),
            f"<code>{e(f['name'])}</code>",
            e(f["handler"]),
            e(f["runtime"]),
            e(f"{f['timeout']} s, {f['memory']} MB"),
            e("" if f["reserved_concurrency"] is None else f["reserved_concurrency"]),
            f"<details><summary>{e(len(f['environment']))} variables</summary>{value_html(f['environment'])}</details>",
        ]
        for f in summary["functions"]
    ]
    body += "<h2>Functions</h2>" + table(
        ["function", "name", "handler", "runtime", "limits", "reserved", "environment"], rows, "No functions."
    )
    if rules:
        body += "<h2>EventBridge rules and schedules</h2>" + eventbridge_table(rules)
    return layout("Resources", body, section="/resources")


def eventbridge_table(rules: list[dict]) -> str:
    """Rules (by bus) and schedules: what each matches or when it fires, and when it fires next."""
    rows = [
        [
            e(r["address"] or r["name"]),
            e(r["kind"] if r["kind"] == "schedule" else f"rule on {r['bus']}"),
            f"<code>{e(r['pattern'] or r['schedule'] or '')}</code>",
            e(r["state"]),
            "<br>".join(f"<code>{e(t)}</code>" for t in r["targets"]),
            e(r["next"] or "-"),
        ]
        for r in rules
    ]
    return table(["rule or schedule", "kind", "pattern or schedule", "state", "targets", "next firing (UTC)"], rows)


def error_page(status: int, title: str, detail: str) -> str:
    return layout(f"{status} {title}", f"<p>{e(detail)}</p><p>{link(ROOT, '← console')}</p>")
