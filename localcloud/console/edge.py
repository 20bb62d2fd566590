"""`/_local/edge`: each CloudFront distribution's counters (hits, misses, collapsed requests, origin
fetches), what its cache holds with the TTL left, and an invalidate form.

The form's POST is guarded like every console POST; it invalidates exactly as `CreateInvalidation`
does, so `*` is allowed only at the end of a path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from localcloud.console.guard import PostGuard
from localcloud.console.pages import ROOT, e, href, layout, link, table
from localcloud.console.responses import error, html, json_response, redirect
from localcloud.model import HttpRequest, HttpResponse


class EdgePages:
    def __init__(self, runtime: Any, guard: PostGuard):
        self.runtime = runtime
        self.guard = guard

    def handle(self, req: HttpRequest, rest: str, query: dict[str, str], as_json: bool) -> HttpResponse:
        edge = self.runtime.edge
        if rest == "invalidate" and not as_json:
            if req.method.upper() != "POST":
                return error(405, "Method not allowed", "Invalidate with the form on the edge page.", allow="POST")
            return self._invalidate(req)
        if req.method.upper() not in ("GET", "HEAD"):
            return error(405, "Method not allowed", f"{ROOT}/edge answers GET only.", allow="GET, HEAD")
        summary = self.summary() if edge is not None else []
        if as_json:
            return json_response(summary)
        return html(self._page(summary, query.get("done")))

    def summary(self) -> list[dict[str, Any]]:
        edge = self.runtime.edge
        urls = edge.urls()
        out = []
        for address, pipeline in sorted(edge.pipelines.items()):
            d = pipeline.distribution
            out.append(
                {
                    "address": address,
                    "id": d.id,
                    "domainName": d.domain_name,
                    "url": urls.get(address),
                    "aliases": list(d.aliases),
                    "stats": dict(pipeline.stats),
                    "cached": sorted(edge.entries(address), key=lambda entry: entry["path"]),
                }
            )
        return out

    def _page(self, summary: list[dict[str, Any]], done: str | None) -> str:
        if not summary:
            return layout("Edge", "<p>This app has no CloudFront distribution.</p>", section="/edge")
        parts = [f'<p class="ok">{e(done)}</p>'] if done else []
        for item in summary:
            stats = item["stats"]
            counters = ", ".join(f"{e(k.replace('_', ' '))} {e(v)}" for k, v in stats.items())
            rows = [
                [e(c["path"]), e(c["status"]), e(c["size"]), e(c["hits"]), e(f"{c['ttlLeft']} s")]
                for c in item["cached"]
            ]
            parts.append(
                f"<h2>{e(item['address'])}</h2>"
                f"<p>{link(item['url'] or '', item['url'] or '')} · {e(item['domainName'])} · id {e(item['id'])}"
                + (f" · aliases {e(', '.join(item['aliases']))}" if item["aliases"] else "")
                + f"</p><p>{counters}</p>"
                + table(["path", "status", "bytes", "hits", "TTL left"], rows, empty="Nothing cached.")
                + f'<form method="post" action="{e(href("edge", "invalidate"))}">'
                f'<input type="hidden" name="token" value="{e(self.guard.token)}">'
                f'<input type="hidden" name="distribution" value="{e(item["id"])}">'
                '<input name="paths" size="50" placeholder="/index.html /posts/*"> <button>Invalidate</button>'
                "</form>"
            )
        return layout("Edge", "".join(parts), section="/edge")

    def _invalidate(self, req: HttpRequest) -> HttpResponse:
        refusal = self.guard.refusal(req, "Invalidation")
        if refusal:
            return error(403, "Forbidden", refusal)
        form = {k: v[-1] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        paths = form.get("paths", "").split()
        distribution = form.get("distribution", "")
        if not paths or self.runtime.edge is None or self.runtime.edge.distribution(distribution) is None:
            return error(400, "Bad request", "Name a distribution and one or more paths.")
        purged = self.runtime.edge.invalidate(distribution, paths)
        return redirect(href("edge", done=f"invalidated {' '.join(paths)}: {purged} cached objects"))
