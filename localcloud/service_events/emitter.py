"""Turn a builder's changes into events with EventBridge's envelope and put them on the default bus.

Events are routed once localcloud's buses run (`route` is set then); a change made before that, while
the template is provisioned, is dropped, as no rule could have seen it. localcloud's rules live in one
region, so a change in another region is not routed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from localcloud.eventbridge.entries import iso_time
from localcloud.service_events.model import Builder, Call, Change
from localcloud.service_events.table import BUILDERS

log = logging.getLogger("localcloud.service_events")
DEFAULT_BUS = "default"


def envelope(change: Change, *, account: str, region: str, now: float) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": change.detail_type,
        "source": change.source,
        "account": account,
        "time": iso_time(now),
        "region": region,
        "resources": list(change.resources),
        "detail": change.detail,
    }


class Emitter:
    def __init__(
        self,
        *,
        region: str,
        builders: dict[tuple[str, str], Builder] | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.region = region
        self.builders = BUILDERS if builders is None else builders
        self.clock = clock
        self.route: Callable[..., Any] | None = None  # (bus, event, source=...): set once the buses run

    def wants(self, service: str, action: str) -> bool:
        return (service, action) in self.builders

    def emit(self, call: Call) -> list[dict[str, Any]]:
        """Build the call's events and route them; returns the events routed."""
        builder = self.builders.get((call.service, call.action))
        if builder is None:
            return []
        try:
            changes = builder(call)
        except Exception:  # a builder's bug must not fail the client's call
            log.exception("could not build the %s %s events", call.service, call.action)
            return []
        route = self.route
        if not changes or route is None or call.region != self.region:
            if changes:
                log.debug("%s %s: %d events not routed", call.service, call.action, len(changes))
            return []
        now = self.clock()
        events = [envelope(c, account=call.account, region=call.region, now=now) for c in changes]
        for event in events:
            route(DEFAULT_BUS, event, source=event["source"])
        return events
