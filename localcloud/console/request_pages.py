"""HTML of the request log: every API request served, and one request with its event, answer and logs."""

from __future__ import annotations

from typing import Any

from localcloud.console import views
from localcloud.console.pages import e, href, layout, link, log_row, pre, refresh_links, table, when

STATUS_FILTERS = (("2xx", "2xx"), ("3xx", "3xx"), ("4xx", "4xx"), ("5xx", "5xx"), ("errors", "≥ 400"))


def status_cell(status: Any) -> str:
    return f'<span class="s{e(str(status)[:1])}">{e(status)}</span>'


def requests_page(
    rows: list[dict], counts: dict[str, dict[str, int]], api: str | None, status: str | None, refresh: int | None
) -> str:
    def url(**changes: Any) -> str:
        params = {"api": api, "status": status, "refresh": refresh, **changes}
        return href("requests", **params)

    total = sum(counts["apis"].values())
    api_chips = [link(url(api=None), f"all APIs ({total})", here=not api)]
    api_chips += [link(url(api=a), f"{a} ({n})", here=a == api) for a, n in counts["apis"].items() if a != "(no API)"]
    status_chips = [link(url(status=None), "any status", here=not status)]
    status_chips += [link(url(status=value), label, here=value == status) for value, label in STATUS_FILTERS]
    cells = [
        [
            when(r["time"]),
            e(r["api"] or "—"),
            e(r["method"]),
            link(href("requests", r["id"]), r["path"]),
            status_cell(r["status"]),
            e(f"{r['ms']:.0f} ms"),
            link(href("logs", r["function"], request_id=r["function_request_id"]), r["function"])
            if r["function"]
            else '<span class="muted">none</span>',
            link(href("requests", r["id"]), r["id"]),
        ]
        for r in reversed(rows)
    ]
    body = (
        f'<p class="chips">{" ".join(api_chips)}</p><p class="chips">{" ".join(status_chips)}</p>'
        + refresh_links(lambda r: url(refresh=r), refresh)
        + table(["time", "API", "method", "path", "status", "time taken", "function", "request id"], cells,
                "No API requests yet.")
        + f'<p class="muted">{link(href("api", "requests", api=api, status=status), "JSON")}</p>'
    )  # fmt: skip
    return layout(f"Requests ({len(rows)})", body, section="/requests", refresh=refresh)


def _headers(headers: list) -> str:
    return table(["header", "value"], [[e(k), f"<code>{e(v)}</code>"] for k, v in headers], "No headers.")


def _invocation(call: dict) -> str:
    function = call["function"]
    title = f"{call['role'].capitalize()}: {function}"
    facts = [
        ["Function", link(href("logs", function), function)],
        ["Lambda request id", f"<code>{e(call['request_id'])}</code>"],
        ["Duration", e(f"{call['duration_ms']} ms")],
    ]
    answer = (
        f'<h4 class="err">Error</h4>{pre(views.to_json(call["error"], indent=2))}'
        if call.get("error")
        else f"<h4>Returned</h4>{pre(views.pretty(call.get('payload')))}"
    )
    logs = table(
        ["time", "request", "line"],
        [log_row(r, function) for r in call.get("logs") or []],
        "The function wrote nothing for this request.",
    )
    return (
        f"<h3>{e(title)}</h3>"
        + table(None, [[f"<b>{e(k)}</b>", v] for k, v in facts])
        + f"<h4>Event (what the function received)</h4>{pre(views.pretty(call.get('event')))}"
        + answer
        + f"<h4>Log lines of this request</h4>{logs}"
    )


def request_page(detail: dict) -> str:
    stage = f" · stage <code>{e(detail['stage'])}</code>" if detail["stage"] else ""
    query = "?" + detail["query"] if detail["query"] else ""
    facts = [
        ["Time", when(detail["time"])],
        ["API", e(detail["api"] or "none matched") + stage],
        ["Request", f"<code>{e(detail['method'])} {e(detail['path'] + query)}</code>"],
        ["Status", status_cell(detail["status"])],
        ["Time taken", e(f"{detail['ms']:.1f} ms")],
        ["Request id", f"<code>{e(detail['id'])}</code>"],
    ]  # fmt: skip
    calls = "".join(_invocation(call) for call in detail["invocations"])
    if not calls:
        calls = '<p class="muted">No function ran (a gateway response, a cache hit or a direct integration).</p>'
    response = detail["response"]
    body = (
        table(None, [[f"<b>{e(k)}</b>", v] for k, v in facts])
        + "<h2>Functions</h2>"
        + calls
        + "<h2>Response</h2>"
        + _headers(response["headers"])
        + pre(views.pretty(response["body"]))
        + "<h2>Request</h2>"
        + _headers(detail["request"]["headers"])
        + (pre(views.pretty(detail["request"]["body"])) if detail["request"]["body"] else "")
        + f"<p>{link(href('requests'), '← requests')} · {link(href('api', 'requests', detail['id']), 'JSON')}</p>"
    )
    return layout(f"{detail['method']} {detail['path']} → {detail['status']}", body, section="/requests")
