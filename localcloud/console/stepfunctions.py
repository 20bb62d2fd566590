"""`/_local/stepfunctions`: the app's state machines with their newest executions, and each execution's
steps (its history: states entered and exited, task calls, retries, errors), read over the Step Functions
API like any client would."""

from __future__ import annotations

import json
from typing import Any

from localcloud import stepfunctions
from localcloud.console.pages import ROOT, e, href, layout, link, pre, table
from localcloud.console.responses import error, html, json_response
from localcloud.model import HttpRequest, HttpResponse

_TYPE = "AWS::StepFunctions::StateMachine"


class StepFunctionsPages:
    def __init__(self, runtime: Any):
        self.runtime = runtime

    def handle(self, req: HttpRequest, rest: str, query: dict[str, str], as_json: bool) -> HttpResponse:
        if req.method.upper() not in ("GET", "HEAD"):
            return error(405, "Method not allowed", f"{ROOT}/stepfunctions answers GET only.", allow="GET, HEAD")
        if rest == "":
            machines = self.machines()
            return json_response(machines) if as_json else html(self._machines_page(machines))
        if rest == "execution" and query.get("arn"):
            found = self.execution(query["arn"])
            if found is None:
                return error(404, "Not found", f"There is no execution {query['arn']}.")
            return json_response(found) if as_json else html(self._execution_page(found))
        return error(404, "Not found", f"{ROOT}/stepfunctions/{rest} is not a console page.")

    def machines(self) -> list[dict[str, Any]]:
        sfn = self.runtime.aws("stepfunctions")
        return [
            {
                "address": r.address,
                "arn": r.ref,
                "name": r.attrs.get("Name", ""),
                "type": r.properties.get("StateMachineType", "STANDARD"),
                "executions": stepfunctions.executions(sfn, r.ref, limit=20),
            }
            for r in self.runtime.deployment.of_type(_TYPE)
        ]

    def execution(self, arn: str) -> dict[str, Any] | None:
        sfn = self.runtime.aws("stepfunctions")
        try:
            described = sfn.describe_execution(executionArn=arn)
        except sfn.exceptions.ExecutionDoesNotExist:
            return None
        described.pop("ResponseMetadata", None)
        return {**described, "steps": stepfunctions.steps(sfn, arn)}

    def _machines_page(self, machines: list[dict[str, Any]]) -> str:
        if not machines:
            return layout("Step Functions", "<p>This app has no state machine.</p>", section="/stepfunctions")
        parts = []
        for machine in machines:
            rows = [
                [
                    link(href("stepfunctions", "execution", arn=x["executionArn"]), x["name"]),
                    _status(x["status"]),
                    e(x["startDate"]),
                    e(x.get("stopDate", "")),
                ]
                for x in machine["executions"]
            ]
            parts.append(
                f"<h2>{e(machine['address'])}</h2><p class=muted>{e(machine['type'])} · {e(machine['arn'])}</p>"
                + table(["execution", "status", "started", "stopped"], rows, empty="No executions yet.")
            )
        return layout("Step Functions", "".join(parts), section="/stepfunctions")

    def _execution_page(self, found: dict[str, Any]) -> str:
        rows = [
            [
                e(step["id"]),
                e(step["timestamp"]),
                e(step["type"]),
                e(step["state"]),
                _payload(step),
            ]
            for step in found["steps"]
        ]
        summary = (
            f"<p>{_status(found['status'])} · started {e(found['startDate'])}"
            + (f" · stopped {e(found['stopDate'])}" if found.get("stopDate") else "")
            + f"</p><p class=muted>{e(found['executionArn'])}</p>"
        )
        if found.get("error"):
            summary += f"<p class=err>{e(found['error'])}: {e(found.get('cause', ''))}</p>"
        body = summary + "<h2>Input</h2>" + pre(_pretty(found.get("input")))
        if found.get("output") is not None:
            body += "<h2>Output</h2>" + pre(_pretty(found["output"]))
        body += "<h2>Steps</h2>" + table(["#", "time", "event", "state", "details"], rows)
        return layout(f"Execution {found['name']}", body, section="/stepfunctions")


def _status(status: str) -> str:
    kind = {"SUCCEEDED": "s2", "RUNNING": "s3", "FAILED": "s5", "TIMED_OUT": "s5", "ABORTED": "s4"}.get(status, "")
    return f'<span class="{kind}">{e(status)}</span>'


def _payload(step: dict[str, Any]) -> str:
    if step.get("error"):
        return f'<span class="err">{e(step["error"])}</span> {e(step.get("cause") or "")}'
    value = step.get("output") if step.get("output") is not None else step.get("input")
    return "" if value is None else pre(_pretty(value))


def _pretty(text: Any) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except (TypeError, ValueError):
        return "" if text is None else str(text)
