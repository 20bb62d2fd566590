"""`python -m localcloud up | invoke | outbox | reset | schedule fire | faults` (identifiers as
`sam local`: `Stack/Function`)."""

from __future__ import annotations

import argparse
import faulthandler
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

from localcloud.instance import AlreadyRunning, InstanceLock, PortInUse, check_ports, running_endpoints

DEFAULT_STATE = Path(".localcloud")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localcloud", description="Run a SAM application locally, without Docker.")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="provision and serve the application until Ctrl-C")
    up.add_argument("--template", "-t", default="template.yaml")
    up.add_argument("--state-dir", default=str(DEFAULT_STATE))
    up.add_argument("--port", type=int, default=4580, help="HTTP port for APIs and the console (0 = any)")
    up.add_argument("--aws-port", type=int, default=4566, help="port of the AWS endpoint (0 = any)")
    up.add_argument(
        "--cdn-port",
        type=int,
        default=4590,
        help="port of the first CloudFront distribution; the next follow (0 = any)",
    )
    up.add_argument(
        "--stack-name", help="the root stack's name, as `sam deploy --stack-name` (default: samconfig, else the folder)"
    )
    up.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="template parameter override")
    up.add_argument(
        "--layer", action="append", default=[], metavar="ARN=DIR",
        help="a layer the template names by ARN but does not define, as a local folder (repeatable)",
    )  # fmt: skip
    up.add_argument("--seed", metavar="SCRIPT", help="a Python file whose seed(endpoints) creates demo data")
    up.add_argument("--quiet", action="store_true", help="print only errors and the ready line (no traffic lines)")
    up.add_argument("--fresh", action="store_true", help="start empty (the saved state is kept aside)")
    up.add_argument(
        "--async-time-scale", type=float, default=1 / 60, metavar="FACTOR",
        help="async invokes retry after 1 and 2 minutes and MaximumEventAgeInSeconds counts, times FACTOR "
        "(default 1/60: 1 s and 2 s; 1 is AWS's timing)",
    )  # fmt: skip

    invoke = sub.add_parser("invoke", help="invoke one function with an event file, like `sam local invoke`")
    invoke.add_argument("function", help="Stack/LogicalId, e.g. Todos/ReadTodosFunction")
    invoke.add_argument("--event", "-e", help="event JSON file (default: {})")
    invoke.add_argument("--template", "-t", default="template.yaml")
    invoke.add_argument("--state-dir", default=str(DEFAULT_STATE))

    outbox = sub.add_parser("outbox", help="print the emails sent through SES")
    outbox.add_argument("--state-dir", default=str(DEFAULT_STATE))
    reset = sub.add_parser("reset", help="wipe data (items, objects, messages, emails), keep resources and ids")
    reset.add_argument("--state-dir", default=str(DEFAULT_STATE))
    who = reset.add_mutually_exclusive_group()
    who.add_argument("--wipe-users", dest="users", action="store_true", default=None, help="delete users too")
    who.add_argument("--keep-users", dest="users", action="store_false", help="keep users (the default)")

    schedule = sub.add_parser("schedule", help="scheduled rules and schedules of the running instance")
    schedule_sub = schedule.add_subparsers(dest="schedule_command", required=True)
    fire = schedule_sub.add_parser("fire", help="fire a scheduled rule or schedule now (even a disabled one)")
    fire.add_argument("schedule", help="Stack/LogicalId of the rule or schedule (or its name or ARN)")
    fire.add_argument("--state-dir", default=str(DEFAULT_STATE))

    from localcloud.faults.cli import add_parser as add_faults_parser
    from localcloud.faults.cli import run as run_faults

    add_faults_parser(sub, DEFAULT_STATE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    commands = {"up": _up, "invoke": _invoke, "outbox": _outbox, "reset": _reset, "schedule": _schedule_fire,
                "faults": lambda a: run_faults(a, _running(a.state_dir), _call)}  # fmt: skip
    return commands[args.command](args)


STOP_DEADLINE = 20.0


def _up(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir)
    lock = InstanceLock(state_dir)
    try:
        lock.acquire()
        check_ports("127.0.0.1", {"--port": args.port, "--aws-port": args.aws_port, "--cdn-port": args.cdn_port})
    except (AlreadyRunning, PortInUse) as exc:
        lock.release()
        print(exc, file=sys.stderr)
        return 1
    try:
        return _serve(args, state_dir)
    finally:
        lock.release()


def _serve(args: argparse.Namespace, state_dir: Path) -> int:
    from localcloud.runtime import LocalCloud

    started = time.monotonic()
    params = dict(p.split("=", 1) for p in args.param)
    cloud = LocalCloud(
        Path(args.template),
        state_dir=state_dir,
        http_port=args.port,
        aws_port=args.aws_port,
        cdn_port=args.cdn_port,
        parameters=params,
        layers=dict(item.split("=", 1) for item in args.layer),
        fresh=args.fresh,
        async_time_scale=args.async_time_scale,
        stack_name=args.stack_name,
    )
    say = (lambda m: None) if args.quiet else (lambda m: print(f"  … {m}", flush=True))
    terminal = None if args.quiet else _terminal(cloud)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    # Ctrl-C stops it even when started from a script's background job, which inherits SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        cloud.start(progress=say, notice=lambda m: print(f"  ! {m}", flush=True))
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
        # A stop that hangs must not keep a terminal (or CI) waiting: after STOP_DEADLINE seconds every
        # thread's stack goes to stderr and the process exits, and its workers die with it (PDEATHSIG).
        faulthandler.dump_traceback_later(STOP_DEADLINE, exit=True)
        cloud.stop()
        if terminal is not None:
            terminal.stop()
        faulthandler.cancel_dump_traceback_later()
    return 0


def _terminal(cloud: Any) -> Any:
    """One line per API request and per async delivery, printed from a thread of its own."""
    from localcloud.terminal import Terminal

    return Terminal(sys.stdout).attach(cloud.requests, cloud.events).start()


def _print_table(endpoints: dict) -> None:
    rows = [("AWS endpoint", endpoints["aws"]), ("console", endpoints["console"])]
    rows += [(f"API {name}", url) for name, url in endpoints["apis"].items()]
    rows += [(f"URL {name}", url) for name, url in endpoints.get("functionUrls", {}).items()]
    rows += [(f"CDN {name}", url) for name, url in endpoints.get("cdn", {}).items()]
    rows += [(f"cognito {k}", v) for k, v in endpoints["cognito"].items()]
    width = max(len(r[0]) for r in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


def _running(state_dir: str) -> dict | None:
    return running_endpoints(Path(state_dir))


def _running_or_say(state_dir: str) -> dict | None:
    """The running localcloud's endpoints, or None after telling the user to start it (for commands that need it)."""
    endpoints = _running(state_dir)
    if endpoints is None:
        print("localcloud is not running (make dev)", file=sys.stderr)
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
    try:
        event = _read_event(args.event)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
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

    print(
        f"localcloud is not running for {args.state_dir}: invoking in a temporary copy of its saved state "
        "(changes are not kept)",
        file=sys.stderr,
    )
    cloud = LocalCloud(Path(args.template), restore_from=Path(args.state_dir))
    try:
        cloud.start()
        try:
            spec = cloud.deployment.find_function(args.function)
        except FunctionNotFound as exc:
            print(exc, file=sys.stderr)
            return 2
        result = cloud.invoke(spec.arn, event)
        for entry in cloud.logs.lines(spec.address):
            print(entry["line"], file=sys.stderr)
        return _print_result(result.payload, result.error)
    finally:
        cloud.stop()


def _read_event(path: str | None) -> Any:
    """The event file's JSON, or ValueError with the one line to print."""
    if not path:
        return {}
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise ValueError(f"event file {path} does not exist") from None
    except OSError as exc:
        raise ValueError(f"cannot read event file {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"event file {path} is not JSON: {exc}") from None


def _print_result(payload: Any, error: dict | None) -> int:
    print(json.dumps(error if error else payload, indent=2))
    return 1 if error else 0


def _outbox(args: argparse.Namespace) -> int:
    endpoints = _running_or_say(args.state_dir)
    if endpoints is None:
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
    endpoints = _running_or_say(args.state_dir)
    if endpoints is None:
        return 2
    users = args.users
    if users is None:
        count = _call(endpoints, "POST", "/_local/control/users", {})["users"]
        users = bool(count) and sys.stdin.isatty() and _confirm(f"Also delete the {count} users? [y/N] ")
    wiped = _call(endpoints, "POST", "/_local/control/reset", {"users": users})["wiped"]
    print("reset: wiped " + describe_wiped(wiped) + "; resources and ids kept")
    if wiped.get("keptUsers"):
        print(f"kept {wiped['keptUsers']} users (reset --wipe-users deletes them too)")
    return 0


def _schedule_fire(args: argparse.Namespace) -> int:
    endpoints = _running_or_say(args.state_dir)
    if endpoints is None:
        return 2
    try:
        fired = _call(endpoints, "POST", "/_local/control/schedule-fire", {"schedule": args.schedule})
    except urllib.error.HTTPError as exc:
        print(json.loads(exc.read()).get("message"), file=sys.stderr)
        return 2
    state = f" although it is {fired['state']} (it does not fire on its own)" if fired["disabled"] else ""
    print(f"fired {fired['kind']} {fired['name']} now{state}: see the event log ({endpoints['console']})")
    return 0


def describe_wiped(wiped: dict[str, int]) -> str:
    kinds = ("items", "objects", "messages", "users", "emails")
    return ", ".join(f"{wiped.get(kind, 0)} {kind}" for kind in kinds if kind in wiped or kind != "users")


def _confirm(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False
