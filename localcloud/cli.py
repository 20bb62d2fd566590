"""`python -m localcloud up | invoke | outbox | reset` (identifiers as `sam local`: `Stack/Function`)."""

from __future__ import annotations

import argparse
import json
import logging
import runpy
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_STATE = Path(".localcloud")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localcloud", description="Run a SAM application locally, without Docker.")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="provision and serve the application until Ctrl-C")
    up.add_argument("--template", "-t", default="template.yaml")
    up.add_argument("--state-dir", default=str(DEFAULT_STATE))
    up.add_argument("--port", type=int, default=4580, help="HTTP port for APIs and the console (0 = any)")
    up.add_argument("--aws-port", type=int, default=4566, help="port of the AWS endpoint (0 = any)")
    up.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="template parameter override")
    up.add_argument("--seed", metavar="SCRIPT", help="a Python file whose seed(endpoints) creates demo data")
    up.add_argument("--quiet", action="store_true", help="print only errors and the ready line (no traffic lines)")

    invoke = sub.add_parser("invoke", help="invoke one function with an event file, like `sam local invoke`")
    invoke.add_argument("function", help="Stack/LogicalId, e.g. Todos/ReadTodosFunction")
    invoke.add_argument("--event", "-e", help="event JSON file (default: {})")
    invoke.add_argument("--template", "-t", default="template.yaml")
    invoke.add_argument("--state-dir", default=str(DEFAULT_STATE))

    for name, text in (("outbox", "print the emails sent through SES"), ("reset", "wipe all data, keep resources")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--state-dir", default=str(DEFAULT_STATE))

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return {"up": _up, "invoke": _invoke, "outbox": _outbox, "reset": _reset}[args.command](args)


def _up(args: argparse.Namespace) -> int:
    from localcloud.runtime import LocalCloud

    started = time.monotonic()
    params = dict(p.split("=", 1) for p in args.param)
    cloud = LocalCloud(
        Path(args.template),
        state_dir=Path(args.state_dir),
        http_port=args.port,
        aws_port=args.aws_port,
        parameters=params,
    )
    say = (lambda m: None) if args.quiet else (lambda m: print(f"  … {m}", flush=True))
    terminal = None if args.quiet else _terminal(cloud)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        cloud.start(progress=say)
        endpoints = cloud.endpoints()
        if not args.quiet:
            _print_table(endpoints)
        if args.seed:
            message = runpy.run_path(args.seed)["seed"](endpoints)
            print(message, flush=True)
        errors = len(endpoints["errors"])
        note = f" ({errors} resource errors above)" if errors else ""
        print(f"localcloud ready in {time.monotonic() - started:.1f}s{note}: {endpoints['console']}", flush=True)
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("localcloud stopping", flush=True)
        cloud.stop()
        if terminal is not None:
            terminal.stop()
    return 0


def _terminal(cloud: Any) -> Any:
    """One line per API request and per async delivery, printed from a thread of its own."""
    from localcloud.terminal import Terminal

    return Terminal(sys.stdout).attach(cloud.requests, cloud.events).start()


def _print_table(endpoints: dict) -> None:
    rows = [("AWS endpoint", endpoints["aws"]), ("console", endpoints["console"])]
    rows += [(f"API {name}", url) for name, url in endpoints["apis"].items()]
    rows += [(f"cognito {k}", v) for k, v in endpoints["cognito"].items()]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def _running(state_dir: str) -> dict | None:
    path = Path(state_dir) / "endpoints.json"
    if not path.exists():
        return None
    endpoints = json.loads(path.read_text())
    try:
        _call(endpoints, "GET", "/_local/control/endpoints")
    except (urllib.error.URLError, OSError):
        return None
    return endpoints


def _call(endpoints: dict, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
    base = endpoints["console"].removesuffix("/_local")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _invoke(args: argparse.Namespace) -> int:
    event = json.loads(Path(args.event).read_text()) if args.event else {}
    endpoints = _running(args.state_dir)
    if endpoints is not None:
        try:
            result = _call(endpoints, "POST", "/_local/control/invoke", {"function": args.function, "event": event})
        except urllib.error.HTTPError as exc:
            print(json.loads(exc.read()).get("message"), file=sys.stderr)
            return 2
        for line in result["logs"]:
            print(line, file=sys.stderr)
        return _print_result(result["payload"], result["error"])
    from localcloud.model import FunctionNotFound
    from localcloud.runtime import LocalCloud

    cloud = LocalCloud(Path(args.template))
    try:
        cloud.start()
        try:
            result = cloud.invoke(args.function, event)
        except FunctionNotFound:
            names = ", ".join(sorted(s.address for s in cloud.deployment.functions.values()))
            print(f"no function {args.function!r}; functions: {names}", file=sys.stderr)
            return 2
        spec = cloud.deployment.function(args.function)
        for entry in cloud.logs.lines(spec.address):
            print(entry["line"], file=sys.stderr)
        return _print_result(result.payload, result.error)
    finally:
        cloud.stop()


def _print_result(payload: Any, error: dict | None) -> int:
    print(json.dumps(error if error else payload, indent=2))
    return 1 if error else 0


def _outbox(args: argparse.Namespace) -> int:
    endpoints = _running(args.state_dir)
    if endpoints is None:
        print("localcloud is not running (make dev)", file=sys.stderr)
        return 2
    mails = _call(endpoints, "GET", "/_local/api/outbox")
    if not mails:
        print("no emails")
        return 0
    for mail in mails:
        print(f"--- {mail.get('time')}  {mail.get('source')} -> {', '.join(mail.get('to') or [])}")
        print(f"Subject: {mail.get('subject')}\n\n{mail.get('text') or mail.get('html') or ''}\n")
    return 0


def _reset(args: argparse.Namespace) -> int:
    endpoints = _running(args.state_dir)
    if endpoints is None:
        print("localcloud is not running (make dev)", file=sys.stderr)
        return 2
    _call(endpoints, "POST", "/_local/control/reset", {})
    print("reset: data wiped, resources kept")
    return 0
