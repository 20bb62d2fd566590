"""The view beacon (web/static/beacon.js), run in QuickJS with a stub of the few browser objects it touches:
one POST per view to its data-views URL, by sendBeacon, else by fetch with keepalive; a prerendered page
counts only once shown; without a URL it does nothing."""

from __future__ import annotations

import json

import quickjs
from blog.site.assets import STATIC

BEACON = (STATIC / "beacon.js").read_text()
URL = "/api/posts/post-1/views"


def run(*, send_beacon: str | None = "true", fetch: bool = True, url: str | None = URL, prerendering=False):
    """Run the beacon; returns the context and the calls it made, as (kind, arguments) pairs.
    `send_beacon` is what navigator.sendBeacon returns ("true"/"false"), or None for a browser without it."""
    ctx = quickjs.Context()
    calls: list[tuple[str, list]] = []
    ctx.add_callable("record", lambda kind, args: calls.append((kind, json.loads(args))))
    ctx.set("viewsUrl", url)
    ctx.set("isPrerendering", prerendering)
    ctx.eval("""
      var listeners = {};
      function recorder(kind, result) {
        return function () { record(kind, JSON.stringify([].slice.call(arguments))); return result; };
      }
      globalThis.window = globalThis;
      globalThis.navigator = {};
      globalThis.document = {
        currentScript: { getAttribute: function (name) { return name === "data-views" ? viewsUrl : null; } },
        prerendering: isPrerendering,
        addEventListener: function (type, fn, options) { listeners[type] = fn; recorder("listen")(type, options); },
      };
      globalThis.show = function () { if (listeners.prerenderingchange) listeners.prerenderingchange(); };
    """)
    if send_beacon is not None:
        ctx.eval(f"navigator.sendBeacon = recorder('beacon', {send_beacon});")
    if fetch:
        ctx.eval("globalThis.fetch = recorder('fetch', { catch: function () {} });")
    ctx.eval(BEACON)
    return ctx, calls


def test_sends_one_beacon_to_its_url():
    _, calls = run()
    assert calls == [("beacon", [URL])]


def test_falls_back_to_a_keepalive_fetch_when_sendbeacon_is_missing_or_refuses():
    expected = ("fetch", [URL, {"method": "POST", "keepalive": True, "credentials": "same-origin"}])
    for send_beacon in (None, "false"):
        _, calls = run(send_beacon=send_beacon)
        assert calls[-1] == expected and len([c for c in calls if c[0] == "fetch"]) == 1


def test_a_prerendered_page_counts_only_when_shown():
    ctx, calls = run(prerendering=True)
    assert calls == [("listen", ["prerenderingchange", {"once": True}])]
    ctx.eval("show()")
    assert calls[-1] == ("beacon", [URL])


def test_does_nothing_without_a_url_or_any_transport():
    assert run(url=None)[1] == []
    assert run(send_beacon=None, fetch=False)[1] == []
