"""Corpus: Kinesis and DynamoDB stream consumers (serverless-patterns), driven as their READMEs say."""

from __future__ import annotations

import json

import pytest

from tests.corpus.support import wait_for

pytestmark = pytest.mark.localcloud


class TestLambdaKinesisLambda:
    """lambda-kinesis-lambda: test the producer with the README's dummy payload; it puts a reading on the
    stream and the consumer logs "Decoded data: …" for it."""

    APP = "lambda-kinesis-lambda"

    def test_the_producers_record_reaches_the_consumer(self, app):
        result = app.invoke("ProducerFunction", {"key1": "value1", "key2": "value2", "key3": "value3"})
        assert result["error"] is None
        assert result["payload"] == {"statusCode": 200, "body": "Successfully posted"}
        assert app.wait_idle()
        decoded = wait_for(lambda: [ln for ln in app.log_lines("ConsumerFunction") if ln.startswith("Decoded data: ")])
        assert len(decoded) == 1
        reading = json.loads(decoded[0].removeprefix("Decoded data: "))
        assert reading["property_id"] == "Property11" and 40 <= int(reading["prop"]) <= 120
