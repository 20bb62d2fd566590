"""Deploy-readiness rules of our own (tools/cfn_rules), run by cfn-lint as `make validate` runs them.

Each rule is shown catching a small SAM template that breaks it and passing the same template once fixed,
through the real cfn-lint (the aws-sam-cli venv's), so the SAM transform happens as in `make validate`.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CFN_LINT = REPO / ".venv-sam" / "bin" / "cfn-lint"

pytestmark = pytest.mark.skipif(not CFN_LINT.exists(), reason="make setup makes .venv-sam (cfn-lint)")

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
"""
FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      InlineCode: "def handler(event, context): return None"
{extra}
"""
LOGS = """\
      LoggingConfig:
        LogGroup: !Ref FnLogs
"""
LOG_GROUP = """\
  FnLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
"""


def lint(tmp_path: Path, body: str) -> set[str]:
    path = tmp_path / "template.yaml"
    path.write_text(HEAD + body)
    run = subprocess.run(
        [str(CFN_LINT), "--format", "parseable", "--append-rules", str(REPO / "tools/cfn_rules"), "--", str(path)],
        capture_output=True,
        text=True,
    )
    return set(re.findall(r":([EWI]\d{4}):", run.stdout))


def test_a_queue_without_a_dlq_is_caught_and_a_dlq_itself_is_not(tmp_path):
    queues = """\
  Work:
    Type: AWS::SQS::Queue
{redrive}
  WorkDlq:
    Type: AWS::SQS::Queue
"""
    broken = queues.format(redrive="")
    fixed = queues.format(
        redrive="    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt WorkDlq.Arn, maxReceiveCount: 5}\n"
    )
    assert "E9101" in lint(tmp_path, broken)
    assert "E9101" not in lint(tmp_path, fixed)


def consumer(source: str, events: str) -> str:
    """A template: `source`, a queue for failures, and a logged function with these `Events`."""
    return source + "  Failed:\n    Type: AWS::SQS::Queue\n" + FUNCTION.format(extra=LOGS + events) + LOG_GROUP


def test_a_stream_consumer_without_on_failure_is_caught(tmp_path):
    stream = consumer(
        "  Views:\n    Type: AWS::Kinesis::Stream\n    Properties: {ShardCount: 1}\n",
        "      Events:\n        Stream:\n          Type: Kinesis\n          Properties:\n"
        "            Stream: !GetAtt Views.Arn\n            StartingPosition: LATEST\n{on_failure}",
    )
    broken = stream.replace("{on_failure}", "")
    fixed = stream.replace(
        "{on_failure}",
        "            DestinationConfig:\n              OnFailure:\n                Destination: !GetAtt Failed.Arn\n",
    )
    assert "E9102" in lint(tmp_path, broken)
    assert "E9102" not in lint(tmp_path, fixed)


def test_an_async_consumer_without_on_failure_is_caught(tmp_path):
    topic = consumer(
        "  Topic:\n    Type: AWS::SNS::Topic\n",
        "      Events:\n        Note:\n          Type: SNS\n          Properties:\n            Topic: !Ref Topic\n"
        "{on_failure}",
    )
    broken = topic.replace("{on_failure}", "")
    fixed = topic.replace(
        "{on_failure}",
        "      EventInvokeConfig:\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n"
        "            Destination: !GetAtt Failed.Arn\n",
    )
    assert "E9102" in lint(tmp_path, broken)
    assert "E9102" not in lint(tmp_path, fixed)


def test_a_function_or_log_group_without_retention_is_caught(tmp_path):
    assert "E9103" in lint(tmp_path, FUNCTION.format(extra=""))
    assert "E9103" in lint(
        tmp_path,
        FUNCTION.format(extra=LOGS)
        + LOG_GROUP.replace("      RetentionInDays: 30\n", "      LogGroupClass: STANDARD\n"),
    )
    assert "E9103" not in lint(tmp_path, FUNCTION.format(extra=LOGS) + LOG_GROUP)
