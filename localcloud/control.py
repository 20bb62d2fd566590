"""The control API on the local HTTP server (`/_local/control/...`): what out-of-process clients (tests,
the CLI) ask a running instance: wait-idle, reset, users, schedule-fire, invoke, endpoints and faults."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from localcloud.model import FunctionNotFound, HttpRequest, HttpResponse, Throttled

if TYPE_CHECKING:
    from localcloud.runtime import LocalCloud


def handle(cloud: LocalCloud, req: HttpRequest) -> HttpResponse:
    """Out-of-process hooks for tests and the CLI: wait-idle, reset, invoke, endpoints, faults."""
    action = req.path.removeprefix("/_local/control/")
    if action == "endpoints" and req.method == "GET":
        return json_response(200, cloud.endpoints())
    if action.split("/", 1)[0] == "faults":
        from localcloud.faults import control as faults_control

        return json_response(*faults_control.handle(cloud.faults, req.method, action, req.body))
    if req.method != "POST":
        return json_response(405, {"message": "use POST"})
    try:
        args = json.loads(req.body or b"{}")
    except ValueError:
        return json_response(400, {"message": "body is not JSON"})
    if action == "wait-idle":
        return json_response(200, {"idle": cloud.wait_idle(float(args.get("timeout", 10)))})
    if action == "reset":
        return json_response(200, {"reset": True, "wiped": cloud.reset(users=bool(args.get("users", True)))})
    if action == "users":
        from localcloud.reset import count_users

        return json_response(200, {"users": count_users(cloud.deployment, cloud.aws)})
    if action == "schedule-fire":
        return json_response(*cloud.eventbridge.fire_request(str(args.get("schedule") or "")))
    if action == "invoke":
        try:
            spec = cloud.deployment.find_function(str(args.get("function") or ""))
            result = cloud.invoke(spec.arn, args.get("event", {}))
        except FunctionNotFound as exc:
            return json_response(404, {"message": str(exc)})
        except Throttled:
            return json_response(429, {"message": "function concurrency exhausted"})
        logs = [e["line"] for e in cloud.logs.lines(spec.address) if e["request_id"] == result.request_id]
        return json_response(
            200,
            {
                "requestId": result.request_id,
                "payload": result.payload,
                "error": result.error,
                "durationMs": result.duration_ms,
                "logs": logs,
            },
        )
    return json_response(404, {"message": f"unknown control action {action!r}"})


def json_response(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, [("Content-Type", "application/json")], json.dumps(body, default=str).encode())
