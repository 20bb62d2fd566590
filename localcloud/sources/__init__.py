"""Event sources with Lambda's semantics: SQS, DynamoDB streams, Kinesis, and S3/SNS via hidden queues."""

from .manager import Sources

__all__ = ["Sources"]
