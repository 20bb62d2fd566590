"""Driving one corpus app: its own localcloud, started as `sam deploy` would deploy it (stack name from its
folder, parameter overrides as its README passes them), and the few looks an app's README asks for: its
stack outputs, a resource's physical id, a function's log lines, a poll until the outcome shows."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.support.localcloud import LocalCloudProcess

APPS = Path(__file__).parent / "apps"


def template_of(app: str) -> Path:
    folder = APPS / app
    for name in ("template.yaml", "template.yml"):
        if (folder / name).exists():
            return folder / name
    raise FileNotFoundError(f"{folder} has no template.yaml or template.yml")


class AppCloud(LocalCloudProcess):
    """localcloud running one corpus app (stack name: the app's folder name, as the tests deploy it)."""

    def stop_soon(self) -> None:
        """Ask it to stop (SIGTERM) without waiting: the next app starts while this one shuts down; `stop`
        later reaps it (and kills it if it has not gone)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)

    @property
    def outputs(self) -> dict[str, Any]:
        return self.endpoints["outputs"].get("Root", {})

    def resource(self, logical_id: str) -> dict[str, Any]:
        summary = self.http.get(f"{self.base}/_local/api/resources", timeout=10).json()
        found = [r for r in summary["stacks"][""] if r["logical_id"] == logical_id]
        assert found, f"no resource {logical_id} in the stack"
        return found[0]

    def ref(self, logical_id: str) -> str:
        return self.resource(logical_id)["ref"]

    def log_lines(self, function: str) -> list[str]:
        """What the function printed (its CloudWatch log stream), oldest first."""
        response = self.http.get(f"{self.base}/_local/api/logs/{function}", timeout=10)
        response.raise_for_status()
        return [record["line"] for record in response.json()]

    def events(self, channel: str | None = None) -> list[dict]:
        """Every message that crossed a queue, topic, stream or bus (the console's event log)."""
        query = {"channel": channel} if channel else {}
        return self.http.get(f"{self.base}/_local/api/events", params=query, timeout=10).json()

    def published(self, topic: str) -> list[Any]:
        """The messages published to a topic (name or ARN), as the event log shows them: what an email or
        SMS subscriber would get (localcloud delivers to queues and functions, not to mailboxes)."""
        name = topic.rsplit(":", 1)[-1]
        return [
            json.loads(e["body"]) if isinstance(e["body"], str) and e["body"][:1] in "{[" else e["body"]
            for e in self.events("sns")
            if e.get("kind") == "Publish" and str(e.get("name", "")).rsplit(":", 1)[-1] == name
        ]


def start_app(app: str, state_dir: Path, params: dict[str, str] | None = None, stack: str | None = None) -> AppCloud:
    """`localcloud up` on the app as `sam deploy [--stack-name STACK] --parameter-overrides …` deploys it
    (without STACK, the stack is named after the app's folder)."""
    extra = tuple(arg for key, value in (params or {}).items() for arg in ("--param", f"{key}={value}"))
    extra += ("--stack-name", stack) if stack else ()
    return AppCloud(template_of(app), state_dir, state_dir / "localcloud.log", extra=extra).start()


def wait_for[T](probe: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    """Poll `probe` until it returns something truthy (an async outcome landing), or give its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    return probe()
