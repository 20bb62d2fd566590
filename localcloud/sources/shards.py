"""Reading shards of a DynamoDB stream or a Kinesis stream through one interface.

The stream poller only needs: list the shards, get an iterator at a position, read records, turn a
raw record into the Lambda record, and know its sequence number and arrival time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import arn_name
from .shapes import dynamodb_record, epoch, kinesis_record


@dataclass
class ShardInfo:
    shard_id: str
    parent_id: str | None
    closed: bool


class DynamoDBShards:
    kind = "dynamodb"
    batch_info_key = "DDBStreamBatchInfo"
    max_limit = 1000

    def __init__(self, client: Any, stream_arn: str, region: str, role_arn: str = ""):
        self.client = client
        self.stream_arn = stream_arn
        self.region = region

    def shards(self) -> list[ShardInfo]:
        found: list[ShardInfo] = []
        params: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.client.describe_stream(**params)["StreamDescription"]
            for shard in description.get("Shards") or []:
                closed = "EndingSequenceNumber" in (shard.get("SequenceNumberRange") or {})
                found.append(ShardInfo(shard["ShardId"], shard.get("ParentShardId"), closed))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return found
            params["ExclusiveStartShardId"] = last

    def iterator(
        self, shard_id: str, position: str, sequence: str | None = None, timestamp: float | None = None
    ) -> str:
        params: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard_id, "ShardIteratorType": position}
        if sequence is not None:
            params["SequenceNumber"] = sequence
        return self.client.get_shard_iterator(**params)["ShardIterator"]

    def read(self, iterator: str, limit: int) -> tuple[list[dict], str | None]:
        response = self.client.get_records(ShardIterator=iterator, Limit=min(limit, self.max_limit))
        return response.get("Records") or [], response.get("NextShardIterator")

    def to_lambda(self, raw: dict, shard_id: str) -> dict:
        return dynamodb_record(raw, self.stream_arn, self.region)

    @staticmethod
    def sequence(record: dict) -> str:
        return record["dynamodb"]["SequenceNumber"]

    @staticmethod
    def arrival(record: dict) -> float:
        return float(record["dynamodb"].get("ApproximateCreationDateTime") or 0)


class KinesisShards:
    kind = "kinesis"
    batch_info_key = "KinesisBatchInfo"
    max_limit = 10000

    def __init__(self, client: Any, stream_arn: str, region: str, role_arn: str = ""):
        self.client = client
        self.stream_arn = stream_arn.split("/consumer/")[0]
        self.stream_name = arn_name(self.stream_arn)
        self.region = region
        self.role_arn = role_arn

    def shards(self) -> list[ShardInfo]:
        found: list[ShardInfo] = []
        params: dict[str, Any] = {"StreamName": self.stream_name}
        while True:
            response = self.client.list_shards(**params)
            for shard in response.get("Shards") or []:
                closed = "EndingSequenceNumber" in (shard.get("SequenceNumberRange") or {})
                found.append(ShardInfo(shard["ShardId"], shard.get("ParentShardId"), closed))
            token = response.get("NextToken")
            if not token:
                return found
            params = {"NextToken": token}

    def iterator(
        self, shard_id: str, position: str, sequence: str | None = None, timestamp: float | None = None
    ) -> str:
        params: dict[str, Any] = {"StreamName": self.stream_name, "ShardId": shard_id, "ShardIteratorType": position}
        if sequence is not None:
            params["StartingSequenceNumber"] = sequence
        if timestamp is not None:
            params["Timestamp"] = timestamp
        return self.client.get_shard_iterator(**params)["ShardIterator"]

    def read(self, iterator: str, limit: int) -> tuple[list[dict], str | None]:
        response = self.client.get_records(ShardIterator=iterator, Limit=min(limit, self.max_limit))
        return response.get("Records") or [], response.get("NextShardIterator")

    def to_lambda(self, raw: dict, shard_id: str) -> dict:
        return kinesis_record(raw, shard_id, self.stream_arn, self.region, self.role_arn)

    @staticmethod
    def sequence(record: dict) -> str:
        return record["kinesis"]["sequenceNumber"]

    @staticmethod
    def arrival(record: dict) -> float:
        return epoch(record["kinesis"]["approximateArrivalTimestamp"])
