"""CloudFront Functions (`cloudfront-js-2.0` and `cloudfront-js-1.0`) run in QuickJS-ng, from PyPI: no node.

Why QuickJS-ng: it runs the whole js-2.0 feature set (const/let, arrows, template literals,
destructuring, async/await, Promise; ES2023 in fact), has per-runtime memory and CPU-time limits, and a
fresh context costs well under a millisecond. The `quickjs` sdist (1.19.4) segfaulted under a memory
limit here; mini-racer's V8 takes ~4 ms a context, 94 MB installed, and hung at exit after an OOM;
dukpy (Duktape) has no async.

What `cf_prelude.js` adds to every context: `require('crypto' | 'querystring' | 'buffer' | 'cloudfront')`
(imports of them are rewritten to `const x = require(...)`, keeping line numbers), Buffer, TextEncoder
and TextDecoder, console.log, KeyValueStore reads (`cf.kvs()`), and what CloudFront forbids: no eval or
Function constructor, no timers or `performance`, a `Date` frozen at the function's start time. There is
no network API at all (no fetch, no XMLHttpRequest). Runtime 1.0 gets its byte-string helpers and
digest() byte strings instead of Buffer, and no cloudfront module (KeyValueStore needs 2.0). The prelude
is all JS, hashes included, because the engine refuses calls into Python while a time limit is set; a
KeyValueStore is copied into the context as an object when the code names the cloudfront module.

Limits ("Quotas on CloudFront Functions", "Restrictions on CloudFront Functions"):
- the code is at most 10 KB; checked, with the syntax, at construction (`FunctionCodeError`);
- memory is bounded at about 2 MB above what the runtime and prelude use;
- run time: CloudFront limits "compute utilization" without publishing the budget, so each call gets
  `time_limit_ms` (100 ms by default). QuickJS interrupts a step once the *process* has spent that much
  CPU time (clock()); between promise jobs the wall clock is checked against the same budget;
- logs are truncated at 10 KB a run.

Isolation: every call gets a new context, so nothing a call leaves in globals reaches the next one.
CloudFront documents no state kept between runs; its KeyValueStore is the documented store.

A throw, a timeout or a memory overrun raises `FunctionError` with status 503; a result that is not a
request or response object raises it with 502 (`cf_events` checks the rest of the result).

Measured here (2 shared cores, Python 3.13, medians of 500): a bare context 0.13 ms; a context with the
prelude's core 0.21 ms; a whole index-rewrite call (context, prelude, the code, the handler, the result)
0.34 ms; one using crypto (which brings Buffer) 2.1 ms, nearly all of it parsing the prelude's crypto and
Buffer sections, which is why a call only loads the sections its code names. Construction 0.18 ms. An
infinite loop is stopped at 100 ms with the default limit.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import quickjs

from localcloud.edge.cf_events import apply_request, apply_response, viewer_request_event, viewer_response_event
from localcloud.edge.function_rules import VALIDATION, FunctionError

__all__ = [
    "CloudFrontFunction",
    "FunctionCodeError",
    "FunctionError",
    "apply_request",
    "apply_response",
    "viewer_request_event",
    "viewer_response_event",
]

RUNTIMES = ("cloudfront-js-1.0", "cloudfront-js-2.0")
MAX_CODE_BYTES = 10 * 1024  # "Maximum function size: 10 KB"
MEMORY_LIMIT = 2 * 1024 * 1024  # "Maximum function memory: 2 MB"
DEFAULT_TIME_LIMIT_MS = 100.0
MAX_LOG_BYTES = 10 * 1024  # "Function logs in CloudFront Functions are truncated at 10 KB."

_SECTION = re.compile(r"^//#section (\w+)\n", re.M)
_MODULES = {
    "cloudfront-js-1.0": ("crypto", "querystring"),
    "cloudfront-js-2.0": ("crypto", "querystring", "buffer", "cloudfront"),
}
_IMPORT = re.compile(r"^[ \t]*import[ \t]+(?:([\w$*{}, \t\n]+?)[ \t]+from[ \t]*)?(['\"])([^'\"\n]+)\2[ \t]*;?", re.M)
_log = logging.getLogger(__name__)


class FunctionCodeError(ValueError):
    """The code cannot be published: too large, a syntax error, an unknown import or the wrong runtime."""


class CloudFrontFunction:
    """One function's code, checked once; every call runs it in a fresh, bounded QuickJS context."""

    def __init__(
        self,
        code: str,
        *,
        name: str,
        runtime: str = "cloudfront-js-2.0",
        kvs: Mapping[str, str] | None = None,
        time_limit_ms: float = DEFAULT_TIME_LIMIT_MS,
        memory_limit: int = MEMORY_LIMIT,
        on_log: Callable[[str, str], None] | None = None,
    ) -> None:
        if runtime not in RUNTIMES:
            raise FunctionCodeError(f"{name}: unknown runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
        size = len(code.encode())
        if size > MAX_CODE_BYTES:
            raise FunctionCodeError(f"{name}: the code is {size} bytes; CloudFront Functions allow {MAX_CODE_BYTES}")
        self.name = name
        self.runtime = runtime
        self.kvs = kvs
        self.time_limit_ms = time_limit_ms
        self.memory_limit = memory_limit
        self.on_log = on_log or (lambda function, line: _log.info("%s: %s", function, line))
        self._script = '"use strict";' + _rewrite_imports(code, name, runtime)
        self._uses_kvs = kvs is not None and "cloudfront" in code
        self._prelude = _prelude_for(code, runtime)
        try:  # compile without running: the body of a function that is never called
            quickjs.Context().eval(f"(function () {{{self._script}\n}})")
        except quickjs.JSException as err:
            raise FunctionCodeError(f"{name}: {_first_line(err)}") from None

    def viewer_request(self, event: dict) -> dict:
        """What handler(event) returned for a viewer-request event: a request or a response object."""
        return self.run(event)

    def viewer_response(self, event: dict) -> dict:
        """What handler(event) returned for a viewer-response event: a response object."""
        return self.run(event)

    def run(self, event: dict) -> dict:
        deadline = time.perf_counter() + self.time_limit_ms / 1000
        ctx = quickjs.Context()
        ctx.set("__lc_runtime", self.runtime)
        if self._uses_kvs:
            ctx.set("__lc_kvs", ctx.parse_json(json.dumps(dict(self.kvs or {}))))
        ctx.eval(self._prelude)
        start, logs = ctx.get("__lc_run"), ctx.get("__lc_logs")  # before the function's code can touch them
        ctx.eval("delete globalThis.__lc_run; delete globalThis.__lc_logs;")
        event_object = ctx.parse_json(json.dumps(event))
        ctx.set_memory_limit(ctx.memory()["malloc_size"] + self.memory_limit)
        try:
            self._step(ctx, deadline, lambda: ctx.eval(self._script))
            state = self._step(ctx, deadline, lambda: start(event_object))
            while self._step(ctx, deadline, ctx.execute_pending_job):
                pass
            outcome = json.loads(self._step(ctx, deadline, state.json))
        finally:
            self._pass_logs(ctx, logs)
        if not outcome["done"]:
            raise FunctionError(f"{self.name}: the handler's promise never settled")
        if "error" in outcome:
            raise self._failure(outcome["error"])
        if outcome.get("json") is None:
            raise FunctionError(f"{self.name}: the handler returned nothing", VALIDATION)
        result = json.loads(outcome["json"])
        if not isinstance(result, dict):
            raise FunctionError(f"{self.name}: the handler returned {type(result).__name__}, not an object", VALIDATION)
        return result

    def _pass_logs(self, ctx: quickjs.Context, logs: quickjs.Object) -> None:
        """console.log lines of the run, truncated at 10 KB as CloudFront does."""
        ctx.set_time_limit(0.05)  # the function's code could still run here (a toJSON it defined)
        ctx.set_memory_limit(-1)
        try:
            lines = json.loads(logs.json())
        except quickjs.JSException:
            return
        left = MAX_LOG_BYTES
        for line in lines:
            data = line.encode()[:left]
            left -= len(data)
            if data:
                self.on_log(self.name, data.decode(errors="ignore"))
            if left <= 0:
                self.on_log(self.name, f"(logs truncated at {MAX_LOG_BYTES} bytes)")
                return

    def _step(self, ctx: quickjs.Context, deadline: float, call: Callable[[], object]) -> object:
        """Run one piece of JS under what is left of the time budget, translating the engine's failures."""
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise self._timeout()
        ctx.set_time_limit(remaining)
        try:
            return call()
        except quickjs.JSException as err:
            raise self._failure(str(err)) from None

    def _failure(self, text: str) -> FunctionError:
        """An uncaught error, thrown out of the engine or rejecting the handler's promise."""
        first = text.strip().split("\n", 1)[0]
        if "interrupted" in first:
            return self._timeout()
        if "out of memory" in first or first.startswith("null"):
            return FunctionError(f"{self.name}: the function exceeded its memory limit ({self.memory_limit} bytes)")
        return FunctionError(f"{self.name}: {text.strip()}")

    def _timeout(self) -> FunctionError:
        return FunctionError(f"{self.name}: the function exceeded its time limit ({self.time_limit_ms:g} ms)")


def _sections(text: str) -> dict[str, str]:
    parts = _SECTION.split(text)  # [core, name, body, name, body, ...]
    return {"core": parts[0], **dict(zip(parts[1::2], parts[2::2], strict=True))}


_PRELUDE = _sections(Path(__file__).with_name("cf_prelude.js").read_text())


def _prelude_for(code: str, runtime: str) -> str:
    """The core, the sections the code names, and `run`."""
    v2 = runtime == "cloudfront-js-2.0"
    wanted = {
        "crypto": "crypto" in code,
        "querystring": "querystring" in code,
        "cloudfront": v2 and "cloudfront" in code,
        "text": v2 and ("TextEncoder" in code or "TextDecoder" in code),
        "v1strings": not v2 and any(n in code for n in ("bytesFrom", "fromBytes", "toBytes", "toUTF8", "fromUTF8")),
    }
    wanted["buffer"] = v2 and ("buffer" in code.lower() or wanted["crypto"] or wanted["cloudfront"])
    wanted["bytes"] = any(wanted.values())
    return "".join(body for name, body in _PRELUDE.items() if name in ("core", "run") or wanted[name])


def _rewrite_imports(code: str, name: str, runtime: str) -> str:
    """`import x from 'crypto'` -> `const x = require('crypto');`, on the same lines, for known modules."""

    def rewrite(match: re.Match) -> str:
        bindings, module = (match.group(1) or "").strip(), match.group(3)
        if module not in _MODULES[runtime]:
            needs = " (it needs cloudfront-js-2.0)" if module in _MODULES["cloudfront-js-2.0"] else ""
            raise FunctionCodeError(f"{name}: cannot import module {module!r}{needs}")
        lines = "\n" * match.group(0).count("\n")
        default, _, named = bindings.partition("{") if "{" in bindings else (bindings, "", "")
        default = default.strip().rstrip(",").strip().removeprefix("* as ").strip()
        named = named.rstrip("}").strip()
        statements = [f"require('{module}');"] if not default and not named else []
        if default:
            statements.append(f"const {default} = require('{module}');")
        if named:
            named = re.sub(r"\s+as\s+", ": ", named)
            statements.append(f"const {{ {named} }} = require('{module}');")
        return " ".join(statements) + lines

    return _IMPORT.sub(rewrite, code)


def _first_line(err: Exception) -> str:
    return str(err).strip().split("\n", 1)[0]
