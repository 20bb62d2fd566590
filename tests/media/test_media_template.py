"""The media template keeps the promises the code relies on: the notification filter, the queue's
visibility and DLQ, Pillow's pin, least-privilege S3 access, renditions-only OAC reads, every output in SSM."""

from __future__ import annotations

import re
from pathlib import Path

from tests.templates.cfn import load_template

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = load_template("services/media/template.yaml")["Resources"]


def test_only_uploads_notify_the_thumbnail_queue():
    (config,) = RESOURCES["MediaBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]


def test_visibility_is_at_least_six_times_the_timeout_with_a_dlq():
    timeout = RESOURCES["MakeThumbnailsFunction"]["Properties"]["Timeout"]
    queue = RESOURCES["ThumbnailQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * timeout
    assert queue["RedrivePolicy"]["maxReceiveCount"] <= 5
    event = RESOURCES["MakeThumbnailsFunction"]["Properties"]["Events"]["Uploads"]["Properties"]
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_pillow_is_pinned_at_12_3_or_later_in_the_function_only():
    def pinned(path: str) -> tuple[int, ...] | None:
        found = re.search(r"(?im)^pillow==([0-9.]+)", (ROOT / path).read_text())
        return tuple(int(p) for p in found.group(1).split(".")) if found else None

    assert pinned("services/media/src/requirements.txt") >= (12, 3)
    assert pinned("layers/shared/requirements.txt") is None
    assert pinned("services/media/upload/requirements.txt") is None
    assert "services/media/src/requirements.txt" in (ROOT / "requirements/dev.txt").read_text()


def test_the_cdn_reads_renditions_and_nothing_else():
    statements = RESOURCES["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (cdn,) = [s for s in statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}]
    assert cdn["Action"] == "s3:GetObject" and cdn["Resource"] == {"Fn::Sub": "${MediaBucket.Arn}/renditions/*"}
    block = RESOURCES["MediaBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_every_output_is_written_to_ssm_under_the_media_path():
    template = load_template("services/media/template.yaml")
    parameters = [r for r in template["Resources"].values() if r["Type"] == "AWS::SSM::Parameter"]
    names = {str(p["Properties"]["Name"]) for p in parameters}
    for output in template["Outputs"]:
        if output.endswith("Parameter"):
            continue
        assert any(f"/media/{output}" in name for name in names), output
