"""Events moto routes by itself go through localcloud's router instead of moto's delivery.

moto delivers an event to a rule's targets in `Rule.send_to_targets`: for the S3 EventBridge
notifications localcloud leaves to moto (tags, ACLs, restores; objects created and deleted come from
localcloud.service_events), archive replays and any in-process PutEvents. Its delivery knows no Lambda,
SNS or Step Functions target and swallows every failure, so those events would vanish. The patch hands
each (rule, event) to the installed sink, which matches and delivers it like any other event. S3 sends
its events to the default bus only (moto tries every bus), so S3's call (the one with
`transform_input=False`) is kept to the default bus. moto's patches are process-wide: the last
`install` wins.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("localcloud.eventbridge")

_sink: Callable[[Any, dict], None] | None = None
_installed = False


def install(sink: Callable[[Any, dict], None]) -> None:
    global _sink, _installed
    _sink = sink
    if _installed:
        return
    from moto.events.models import Rule

    def send_to_targets(self: Any, original_event: dict, transform_input: bool = True) -> None:
        if not transform_input and self.event_bus_name != "default":
            return
        sink_now = _sink
        if sink_now is None:
            log.error("an event reached rule %s before localcloud routes events: dropped", self.name)
            return
        try:
            sink_now(self, dict(original_event))
        except Exception:  # moto's caller swallows errors: say it here
            log.exception("could not route an event to rule %s", self.name)

    Rule.send_to_targets = send_to_targets
    _installed = True
