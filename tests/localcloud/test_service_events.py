"""AWS service events: the builders against the event shapes AWS documents, the envelope, and the
endpoint layer that reads EC2's answers (no localcloud process: a stand-in for moto answers)."""

from __future__ import annotations

import io

from localcloud.service_events import Emitter, ServiceEventsApp
from localcloud.service_events.ec2 import state_changes
from localcloud.service_events.emitter import envelope
from localcloud.service_events.model import Call, Change
from localcloud.service_events.moto_s3 import REASONS
from localcloud.service_events.s3 import object_created, object_deleted
from localcloud.service_events.table import BUILDERS

ACCOUNT, REGION = "123456789012", "us-east-1"
NS = 'xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"'
# the EC2 User Guide's example ("State change events for Amazon EC2 instances"), without id and time
DOCUMENTED_EC2 = {
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "pending"},
}


def ec2_answer(action: str, *items: tuple[str, str, str | None]) -> bytes:
    rows = []
    for instance, current, previous in items:
        if previous is None:  # RunInstances: the instance's own state, among its other fields
            state = f"<instanceState><code>0</code><name>{current}</name></instanceState>"
            nested = f"<networkInterfaceSet><item><attachment><instanceId>{instance}</instanceId></attachment></item></networkInterfaceSet>"  # noqa: E501
            rows.append(f"<item><instanceId>{instance}</instanceId>{nested}{state}</item>")
        else:
            rows.append(f"<item><instanceId>{instance}</instanceId><currentState><name>{current}</name></currentState>"
                        f"<previousState><name>{previous}</name></previousState></item>")  # fmt: skip
    return f"<{action}Response {NS}><instancesSet>{''.join(rows)}</instancesSet></{action}Response>".encode()


def call(action: str, body: bytes, service: str = "ec2", **params) -> Call:
    return Call(service, action, ACCOUNT, REGION, params, body)


def as_events(changes: list[Change]) -> list[dict]:
    events = [envelope(c, account=ACCOUNT, region=REGION, now=1_636_666_194.0) for c in changes]
    for event in events:
        assert (
            event.pop("version") == "0" and len(event.pop("id")) == 36 and event.pop("time") == "2021-11-11T21:29:54Z"
        )
    return events


def test_a_launch_is_the_documented_pending_event_then_running():
    body = ec2_answer("RunInstances", ("i-1234567890abcdef0", "pending", None))
    events = as_events(state_changes(call("RunInstances", body)))
    assert events == [DOCUMENTED_EC2, {**DOCUMENTED_EC2, "detail": {**DOCUMENTED_EC2["detail"], "state": "running"}}]


def test_stop_start_and_terminate_go_through_their_transitional_state():
    for action, current, previous, final in (
        ("StopInstances", "stopping", "running", "stopped"),
        ("StartInstances", "pending", "stopped", "running"),
        ("TerminateInstances", "shutting-down", "running", "terminated"),
    ):
        body = ec2_answer(action, ("i-1", current, previous), ("i-2", current, previous))
        states = [(c.detail["instance-id"], c.detail["state"]) for c in state_changes(call(action, body))]
        assert states == [("i-1", current), ("i-1", final), ("i-2", current), ("i-2", final)]


def test_a_call_that_changes_no_state_sends_nothing():
    assert state_changes(call("StopInstances", ec2_answer("StopInstances", ("i-1", "stopped", "stopped")))) == []
    assert state_changes(call("StopInstances", ec2_answer("StopInstances", ("i-1", "stopping", "stopped")))) == []
    assert state_changes(call("StopInstances", ec2_answer("StopInstances", ("i-1", "stopping", "terminated")))) == []
    assert state_changes(call("StopInstances", b"not xml")) == []


def test_an_object_created_event_has_the_documented_detail():
    # the S3 User Guide's "Object created" example (EventBridge event message structure)
    params = {"bucket": "amzn-s3-demo-bucket1", "key": "example-key", "size": 5,
              "etag": "b1946ac92492d2347c6235b4d2611184", "version_id": "IYV3p45BhZA4_6xMidg3d5jDZ4.B7iV0",
              "sequencer": "617f08299329d189", "request_id": "N4N7GDK58NMKJ12R", "requester": "123456789012",
              "source_ip": "1.2.3.4"}  # fmt: skip
    [event] = as_events(object_created(call("PutObject", b"", service="s3", **params)))
    assert event == {
        "detail-type": "Object Created", "source": "aws.s3", "account": ACCOUNT, "region": REGION,
        "resources": ["arn:aws:s3:::amzn-s3-demo-bucket1"],
        "detail": {
            "version": "0", "bucket": {"name": "amzn-s3-demo-bucket1"},
            "object": {"key": "example-key", "size": 5, "etag": "b1946ac92492d2347c6235b4d2611184",
                       "version-id": "IYV3p45BhZA4_6xMidg3d5jDZ4.B7iV0", "sequencer": "617f08299329d189"},
            "request-id": "N4N7GDK58NMKJ12R", "requester": "123456789012", "source-ip-address": "1.2.3.4",
            "reason": "PutObject",
        },
    }  # fmt: skip


def test_an_object_deleted_event_names_the_deletion_type_and_no_size():
    params = {"bucket": "b", "key": "k", "sequencer": "617f0837b476e463", "request_id": "0BH729840619AG5K",
              "deletion_type": "Delete Marker Created", "version_id": None}  # fmt: skip
    [change] = object_deleted(call("DeleteObject", b"", service="s3", **params))
    assert change.detail_type == "Object Deleted"
    assert change.detail["object"] == {"key": "k", "sequencer": "617f0837b476e463"}
    assert change.detail["reason"] == "DeleteObject" and change.detail["deletion-type"] == "Delete Marker Created"
    assert change.detail["requester"] == ACCOUNT


def test_every_s3_reason_moto_reports_has_a_builder():
    assert {("s3", reason) for reason, _ in REASONS.values()} <= set(BUILDERS)


def test_each_event_gets_its_own_id():
    change = Change("aws.ec2", "x", [], {})
    ids = {envelope(change, account=ACCOUNT, region=REGION, now=0)["id"] for _ in range(3)}
    assert len(ids) == 3


# the endpoint layer ------------------------------------------------------------------------------


def request(action: str, service: str = "ec2") -> dict:
    body = f"Action={action}&Version=2016-11-15&InstanceId.1=i-1".encode()
    return {
        "REQUEST_METHOD": "POST", "QUERY_STRING": "", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, "
                              "SignedHeaders=host, Signature=0",
    }  # fmt: skip


class Moto:
    """Answers as moto would, and remembers the body it read."""

    def __init__(self, status: str, answer: bytes):
        self.status, self.answer, self.bodies = status, answer, []

    def __call__(self, environ, start_response):
        self.bodies.append(environ["wsgi.input"].read())
        start_response(self.status, [("Content-Type", "text/xml")])
        return [self.answer]


def serve(moto: Moto, environ: dict) -> tuple[list, bytes, list]:
    emitter = Emitter(region=REGION)
    routed: list = []
    emitter.route = lambda bus, event, source: routed.append((bus, source, event))
    statuses: list = []
    body = b"".join(ServiceEventsApp(moto, emitter, account=ACCOUNT)(environ, lambda s, h: statuses.append(s)))
    return routed, body, statuses


def test_a_successful_stop_puts_both_events_on_the_default_bus_and_moto_still_reads_the_body():
    answer = ec2_answer("StopInstances", ("i-1", "stopping", "running"))
    moto = Moto("200 OK", answer)
    routed, body, statuses = serve(moto, request("StopInstances"))
    assert body == answer and statuses == ["200 OK"] and moto.bodies[0].startswith(b"Action=StopInstances")
    assert [(bus, source, e["detail"]["state"]) for bus, source, e in routed] == [
        ("default", "aws.ec2", "stopping"), ("default", "aws.ec2", "stopped")]  # fmt: skip
    assert routed[0][2]["resources"] == [f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-1"]


def test_a_failed_call_and_calls_the_table_does_not_name_emit_nothing():
    answer = ec2_answer("StopInstances", ("i-1", "stopping", "running"))
    assert serve(Moto("400 Bad Request", answer), request("StopInstances"))[0] == []
    assert serve(Moto("200 OK", answer), request("DescribeInstances"))[0] == []
    assert serve(Moto("200 OK", answer), request("StopInstances", service="sqs"))[0] == []


def test_nothing_is_routed_before_the_buses_run_or_for_another_region():
    emitter = Emitter(region=REGION)
    body = ec2_answer("RunInstances", ("i-1", "pending", None))
    assert emitter.emit(call("RunInstances", body)) == []  # no route yet
    emitter.route = lambda *a, **k: None
    assert emitter.emit(Call("ec2", "RunInstances", ACCOUNT, "eu-west-1", {}, body)) == []
    assert len(emitter.emit(call("RunInstances", body))) == 2
