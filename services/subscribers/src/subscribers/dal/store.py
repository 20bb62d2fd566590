"""The subscribers table: one item per canonical address, keyed by its id (a keyed hash of the address).

`status` is `active` or `unsubscribed`; the `byStatus` index (status, id) is what fan-outs page through.
Subscribing again reactivates an unsubscribed item without inserting one, so the stream (INSERT only)
welcomes each address once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypedDict

ACTIVE, UNSUBSCRIBED = "active", "unsubscribed"
BATCH_GET_KEYS = 100  # BatchGetItem's limit
BATCH_GET_ATTEMPTS = 8


class Subscriber(TypedDict, total=False):
    id: str
    email: str
    name: str
    status: str
    subscribedAt: str
    rejected: str


def _plain(item: dict[str, Any]) -> Subscriber:
    return {key: value["S"] for key, value in item.items() if "S" in value}  # type: ignore[return-value]


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "response", {}).get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class SubscriberStore:
    def __init__(
        self,
        table_name: str,
        status_index: str,
        client: Callable[[str], Any],
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.table_name = table_name
        self.status_index = status_index
        self._client = client
        self._sleep = sleep

    @property
    def dynamodb(self) -> Any:
        return self._client("dynamodb")

    def add(self, subscriber: Subscriber) -> bool:
        """Insert a new subscriber (True), or reactivate an unsubscribed one (False); never a second item."""
        item = {key: {"S": value} for key, value in subscriber.items()}
        try:
            self.dynamodb.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(id)")
            return True
        except Exception as exc:
            if not _failed_condition(exc):
                raise
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={"id": {"S": subscriber["id"]}},
                UpdateExpression="SET #s = :active",
                ConditionExpression="#s = :unsubscribed",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":active": {"S": ACTIVE}, ":unsubscribed": {"S": UNSUBSCRIBED}},
            )
        except Exception as exc:
            if not _failed_condition(exc):
                raise
        return False

    def unsubscribe(self, subscriber_id: str) -> None:
        """Idempotent: an unknown id (never stored, or removed) changes nothing."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={"id": {"S": subscriber_id}},
                UpdateExpression="SET #s = :unsubscribed",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":unsubscribed": {"S": UNSUBSCRIBED}},
            )
        except Exception as exc:
            if not _failed_condition(exc):
                raise

    def get(self, subscriber_id: str) -> Subscriber | None:
        """A strongly consistent read: an unsubscribe a moment ago is seen."""
        found = self.dynamodb.get_item(TableName=self.table_name, Key={"id": {"S": subscriber_id}}, ConsistentRead=True)
        item = found.get("Item")
        return _plain(item) if item else None

    def get_many(self, subscriber_ids: list[str]) -> dict[str, Subscriber]:
        """Strongly consistent reads of many (BatchGetItem, 100 keys a call): id → item; unknown ids left out."""
        found: dict[str, Subscriber] = {}
        unique = list(dict.fromkeys(subscriber_ids))
        for start in range(0, len(unique), BATCH_GET_KEYS):
            keys = [{"id": {"S": subscriber_id}} for subscriber_id in unique[start : start + BATCH_GET_KEYS]]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(BATCH_GET_ATTEMPTS):
                answer = self.dynamodb.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    found[item["id"]["S"]] = _plain(item)
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                self._sleep(min(2**attempt * 0.05, 1.0))
            if request:
                left = len(request[self.table_name]["Keys"])
                raise RuntimeError(f"DynamoDB left {left} subscriber reads unprocessed")
        return found

    def record_rejection(self, subscriber_id: str, reason: str) -> None:
        """SES refused the address for good: kept on the item for whoever looks after the list."""
        self.dynamodb.update_item(
            TableName=self.table_name,
            Key={"id": {"S": subscriber_id}},
            UpdateExpression="SET rejected = :reason",
            ConditionExpression="attribute_exists(id)",
            ExpressionAttributeValues={":reason": {"S": reason[:500]}},
        )

    def active_page(self, limit: int, start: dict | None) -> tuple[list[str], dict | None]:
        """One page of active subscriber ids, in id order, and the key to resume after it (None at the end)."""
        args: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": self.status_index,
            "KeyConditionExpression": "#s = :active",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":active": {"S": ACTIVE}},
            "Limit": limit,
        }
        if start:
            args["ExclusiveStartKey"] = start
        page = self.dynamodb.query(**args)
        return [item["id"]["S"] for item in page.get("Items", [])], page.get("LastEvaluatedKey")
