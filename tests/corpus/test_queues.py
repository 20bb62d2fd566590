"""Corpus: SQS and SNS consumers (serverless-patterns), driven as their READMEs say: send ten messages
with the CLI's call, then read the consumer's log for each one."""

from __future__ import annotations

import json

import pytest

from tests.corpus.support import wait_for

pytestmark = pytest.mark.localcloud


class TestSqsLambda:
    """sqs-lambda-python-sam: `aws sqs send-message` ten times to the queue; the function logs each body."""

    APP = "sqs-lambda-python-sam"

    def test_ten_messages_are_each_processed_once(self, app):
        sqs = app.aws("sqs")
        bodies = [json.dumps({"message": f"Test message-{i}"}) for i in range(1, 11)]
        for body in bodies:
            sqs.send_message(QueueUrl=app.outputs["ProcessingQueueURL"], MessageBody=body)
        assert app.wait_idle()
        processed = [line for line in app.log_lines("ProcessorFunction") if line.startswith("Processed message: ")]
        assert sorted(processed) == sorted(f"Processed message: {body}" for body in bodies)
        dlq = app.resource("ProcessingDLQ")["ref"]
        assert (
            sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
            == "0"
        )


class TestSnsLambda:
    """sns-lambda-python-sam: `aws sns publish` ten times to the topic; the function logs each message."""

    APP = "sns-lambda-python-sam"

    def test_ten_published_messages_reach_the_function(self, app):
        sns = app.aws("sns")
        messages = [json.dumps({"message": f"Test message-{i}"}) for i in range(1, 11)]
        for message in messages:
            sns.publish(TopicArn=app.outputs["ProcessingTopicArn"], Message=message)
        assert app.wait_idle()
        lines = wait_for(lambda: [ln for ln in app.log_lines("ProcessorFunction") if ln.startswith("Processed")])
        assert sorted(lines) == sorted(f"Processed message {m}" for m in messages)
        assert "done" in app.log_lines("ProcessorFunction")
