"""Event sources with Lambda's semantics (SQS, DynamoDB streams, Kinesis, S3/SNS via hidden queues) and Firehose."""

from .manager import Sources

__all__ = ["Sources"]
