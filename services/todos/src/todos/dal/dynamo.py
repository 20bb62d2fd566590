"""TodoStore on one DynamoDB table: pk = the owner's user-pool `sub`, sk = the todo's ULID.

Listing is a Query in reverse key order (newest first), never a Scan. Writes are conditional: the item
must exist, and when the caller sent a version, it must still be that version; the failed condition
returns the old item (ReturnValuesOnConditionCheckFailure) so "gone" (404) and "stale" (412) differ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.conditional import client_error, raise_condition_failure
from common.tables import TableProvider

from todos.dal.store import Page

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

MUTABLE_FIELDS = frozenset({"title", "notes", "due", "done"})
FILTERED_QUERY_BATCH = 100


def to_api(item: dict) -> dict:
    return {
        "todoId": item["sk"],
        "title": item["title"],
        "notes": item.get("notes"),
        "due": item.get("due"),
        "done": bool(item.get("done", False)),
        "createdAt": item["createdAt"],
        "updatedAt": item["updatedAt"],
        "version": int(item["version"]),
    }


class DynamoTodoStore:
    def __init__(self, tables: TableProvider):
        self.tables = tables

    @property
    def _table(self) -> Any:
        return self.tables.table

    def insert(self, owner: str, item: dict) -> None:
        record = {"pk": owner, "sk": item["todoId"], **{k: v for k, v in item.items() if k != "todoId"}}
        record = {k: v for k, v in record.items() if v is not None}
        self._table.put_item(
            Item=record,
            ConditionExpression="attribute_not_exists(#pk)",
            ExpressionAttributeNames={"#pk": "pk"},
        )

    def get(self, owner: str, todo_id: str, *, consistent: bool = False) -> dict | None:
        response = self._table.get_item(Key={"pk": owner, "sk": todo_id}, ConsistentRead=consistent)
        item = response.get("Item")
        return to_api(item) if item else None

    def query(self, owner: str, *, limit: int, after: str | None, done: bool | None) -> Page:
        wanted = limit + 1
        collected: list[dict] = []
        start_key = {"pk": owner, "sk": after} if after else None
        while True:
            params: dict[str, Any] = {
                "KeyConditionExpression": "#pk = :pk",
                "ExpressionAttributeNames": {"#pk": "pk"},
                "ExpressionAttributeValues": {":pk": owner},
                "ScanIndexForward": False,
                "Limit": wanted - len(collected),
            }
            if done is not None:
                params["FilterExpression"] = "#done = :done"
                params["ExpressionAttributeNames"]["#done"] = "done"
                params["ExpressionAttributeValues"][":done"] = done
                params["Limit"] = max(params["Limit"], FILTERED_QUERY_BATCH)
            if start_key:
                params["ExclusiveStartKey"] = start_key
            response = self._table.query(**params)
            collected.extend(response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if len(collected) >= wanted or not start_key:
                break
        return Page(items=[to_api(item) for item in collected[:limit]], has_more=len(collected) > limit)

    def update(
        self,
        owner: str,
        todo_id: str,
        *,
        set_fields: dict,
        clear_fields: tuple[str, ...],
        updated_at: str,
        expected_version: int | None,
    ) -> dict:
        unknown = (set(set_fields) | set(clear_fields)) - MUTABLE_FIELDS
        if unknown:
            raise ValueError(f"not mutable: {sorted(unknown)}")
        names = {"#pk": "pk", "#version": "version", "#updatedAt": "updatedAt"}
        values: dict[str, Any] = {":one": 1, ":updatedAt": updated_at}
        assignments = ["#version = #version + :one", "#updatedAt = :updatedAt"]
        for field, value in set_fields.items():
            names[f"#{field}"] = field
            values[f":{field}"] = value
            assignments.append(f"#{field} = :{field}")
        expression = "SET " + ", ".join(assignments)
        if clear_fields:
            names.update({f"#{field}": field for field in clear_fields})
            expression += " REMOVE " + ", ".join(f"#{field}" for field in clear_fields)
        condition = "attribute_exists(#pk)"
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        try:
            response = self._table.update_item(
                Key={"pk": owner, "sk": todo_id},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client_error() as exc:
            self._condition_failed(exc, owner, todo_id, expected_version)
        return to_api(response["Attributes"])

    def delete(self, owner: str, todo_id: str, *, expected_version: int | None) -> None:
        names = {"#pk": "pk"}
        values: dict[str, Any] = {}
        condition = "attribute_exists(#pk)"
        if expected_version is not None:
            names["#version"] = "version"
            values[":expected"] = expected_version
            condition += " AND #version = :expected"
        params: dict[str, Any] = {
            "Key": {"pk": owner, "sk": todo_id},
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self._table.delete_item(**params)
        except client_error() as exc:
            self._condition_failed(exc, owner, todo_id, expected_version)

    def _condition_failed(self, exc: ClientError, owner: str, todo_id: str, expected_version: int | None):
        """Re-raise a failed write condition as ItemMissing or VersionMismatch; other errors unchanged."""

        def current() -> int | None:
            item = self.get(owner, todo_id, consistent=True)
            return item["version"] if item else None

        raise_condition_failure(exc, todo_id, expected_version, current)
