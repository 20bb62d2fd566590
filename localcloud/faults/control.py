"""The fault rules over the control API of a running instance (tests and the CLI use it):

GET    /_local/control/faults         the rules, with their hits
POST   /_local/control/faults         add one rule (its JSON form, see rules.py) → 201 and the rule
DELETE /_local/control/faults         clear every rule
DELETE /_local/control/faults/{id}    clear one
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.faults.rules import Faults, RuleError

PATH = "faults"


def handle(faults: Faults, method: str, action: str, body: bytes | None) -> tuple[int, Any]:
    """(status, JSON body) for a control request whose action is `faults` or `faults/{id}`."""
    rule_id = action.removeprefix(PATH).strip("/") or None
    if method == "GET" and rule_id is None:
        return 200, {"faults": faults.listing()}
    if method == "DELETE":
        cleared = faults.clear(rule_id)
        if rule_id is not None and not cleared:
            return 404, {"message": f"no fault rule {rule_id}"}
        return 200, {"cleared": cleared}
    if method == "POST" and rule_id is None:
        try:
            return 201, {"fault": faults.add(json.loads(body or b"{}")).public()}
        except ValueError as exc:  # RuleError, or a body that is not JSON
            return 400, {"message": str(exc) if isinstance(exc, RuleError) else "body is not JSON"}
    return 405, {"message": "use GET, POST or DELETE on /_local/control/faults"}
