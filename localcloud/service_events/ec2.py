"""EC2 Instance State-change Notification events, read from the EC2 API's own answers.

AWS moves an instance through a transitional state to a final one and sends one event for each:
launch or start gives pending then running, stop gives stopping then stopped, terminate gives
shutting-down then terminated. The answer to RunInstances, StartInstances, StopInstances and
TerminateInstances names each instance and its transitional state (and, except for a launch, the
state before); a call that changes nothing (stopping a stopped instance) sends nothing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from localcloud.service_events.model import Call, Change

SOURCE = "aws.ec2"
DETAIL_TYPE = "EC2 Instance State-change Notification"
FINAL = {"pending": "running", "stopping": "stopped", "shutting-down": "terminated"}


def instance_arn(region: str, account: str, instance_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:instance/{instance_id}"


def state_changes(call: Call) -> list[Change]:
    changes: list[Change] = []
    for instance_id, current, previous in _instances(call.result):
        if previous in (current, FINAL.get(current), "terminated"):
            continue  # no change, or a terminated instance (AWS refuses the call)
        arn = instance_arn(call.region, call.account, instance_id)
        for state in (current, FINAL.get(current)):
            if state:
                changes.append(Change(SOURCE, DETAIL_TYPE, [arn], {"instance-id": instance_id, "state": state}))
    return changes


def _instances(body: bytes | str | None) -> list[tuple[str, str, str | None]]:
    """(instance id, state now, state before) for each item of the answer's top-level instancesSet."""
    if not body:
        return []
    try:
        root = ET.fromstring(body)  # noqa: S314 - moto's own answer, never a client's
    except ET.ParseError:
        return []
    found = []
    for child in root:
        if _tag(child) != "instancesSet":
            continue
        for item in child:
            fields = {_tag(e): e for e in item}
            instance_id = _text(fields.get("instanceId"))
            current = _state(fields.get("currentState")) or _state(fields.get("instanceState"))
            if instance_id and current:
                found.append((instance_id, current, _state(fields.get("previousState"))))
    return found


def _state(element: ET.Element | None) -> str | None:
    if element is None:
        return None
    return next((_text(e) for e in element if _tag(e) == "name"), None)


def _text(element: ET.Element | None) -> str | None:
    return (element.text or "").strip() or None if element is not None else None


def _tag(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]
