"""PostStore on one DynamoDB table keyed by `slug`, with two sparse GSIs on `status`:
`byStatusPublishedAt` (sort key `publishedAt`, which only published posts have) for the listing, newest
first, and `byStatusViews` (sort key `views`) for the most read. Listing is always a Query, never a Scan.

Writes are conditional. Insert needs the slug to be free, so two authors can never share one. Update and
delete need the post to exist and, when the caller sent one, its version; a failed condition returns the
old item (ReturnValuesOnConditionCheckFailure), so "gone" (404) and "stale" (412) differ.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from common.conditional import CONDITION_FAILED, client_error, error_code, raise_condition_failure
from common.tables import TableProvider

from blog.dal.store import Page, SlugTaken

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

BY_PUBLISHED = "byStatusPublishedAt"
BY_VIEWS = "byStatusViews"
PUBLISHED = "published"
MUTABLE_FIELDS = frozenset(
    {"title", "body", "html", "excerpt", "tags", "tagSlugs", "cover", "coverId", "status", "publishedAt"}
)
FILTERED_QUERY_BATCH = 100


def plain(value: Any) -> Any:
    """DynamoDB's Decimals as ints (every number a post holds is whole), recursively."""
    if isinstance(value, Decimal):
        return int(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class DynamoPostStore:
    def __init__(self, tables: TableProvider):
        self.tables = tables

    @property
    def _table(self) -> Any:
        return self.tables.table

    def insert(self, item: dict) -> None:
        record = {key: value for key, value in item.items() if value is not None}
        try:
            self._table.put_item(
                Item=record,
                ConditionExpression="attribute_not_exists(#slug)",
                ExpressionAttributeNames={"#slug": "slug"},
            )
        except client_error() as exc:
            if error_code(exc) == CONDITION_FAILED:
                raise SlugTaken(item["slug"]) from None
            raise

    def get(self, slug: str, *, consistent: bool = False) -> dict | None:
        item = self._table.get_item(Key={"slug": slug}, ConsistentRead=consistent).get("Item")
        return plain(item) if item else None

    def published(self, *, limit: int, after: dict | None, tag_slug: str | None) -> Page:
        wanted = limit + 1
        collected: list[dict] = []
        start_key = after
        while True:
            params: dict[str, Any] = {
                "IndexName": BY_PUBLISHED,
                "KeyConditionExpression": "#status = :published",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":published": PUBLISHED},
                "ScanIndexForward": False,
                "Limit": wanted - len(collected),
            }
            if tag_slug is not None:
                params["FilterExpression"] = "contains(#tagSlugs, :tag)"
                params["ExpressionAttributeNames"]["#tagSlugs"] = "tagSlugs"
                params["ExpressionAttributeValues"][":tag"] = tag_slug
                params["Limit"] = max(params["Limit"], FILTERED_QUERY_BATCH)
            if start_key:
                params["ExclusiveStartKey"] = start_key
            response = self._table.query(**params)
            collected.extend(response.get("Items", []))
            start_key = response.get("LastEvaluatedKey")
            if len(collected) >= wanted or not start_key:
                break
        items = [plain(item) for item in collected[:limit]]
        last = items[-1] if len(collected) > limit else None
        last_key = {"slug": last["slug"], "status": PUBLISHED, "publishedAt": last["publishedAt"]} if last else None
        return Page(items=items, last_key=last_key)

    def popular(self, *, limit: int) -> list[dict]:
        response = self._table.query(
            IndexName=BY_VIEWS,
            KeyConditionExpression="#status = :published",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":published": PUBLISHED},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [plain(item) for item in response.get("Items", [])]

    def all_published(self) -> list[dict]:
        items: list[dict] = []
        params: dict[str, Any] = {
            "IndexName": BY_PUBLISHED,
            "KeyConditionExpression": "#status = :published",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":published": PUBLISHED},
        }
        while True:
            response = self._table.query(**params)
            items.extend(plain(item) for item in response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                return items
            params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def update(
        self, slug: str, *, set_fields: dict, remove_fields: tuple[str, ...], expected_version: int | None
    ) -> dict:
        unknown = (set(set_fields) | set(remove_fields)) - MUTABLE_FIELDS - {"updatedAt"}
        if unknown:
            raise ValueError(f"not mutable: {sorted(unknown)}")
        names = {"#slug": "slug", "#version": "version"}
        values: dict[str, Any] = {":one": 1}
        assignments = ["#version = #version + :one"]
        for index, (field, value) in enumerate(set_fields.items()):
            names[f"#f{index}"] = field
            values[f":v{index}"] = value
            assignments.append(f"#f{index} = :v{index}")
        expression = "SET " + ", ".join(assignments)
        if remove_fields:
            names.update({f"#r{index}": field for index, field in enumerate(remove_fields)})
            expression += " REMOVE " + ", ".join(f"#r{index}" for index in range(len(remove_fields)))
        condition = "attribute_exists(#slug)"
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        try:
            response = self._table.update_item(
                Key={"slug": slug},
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client_error() as exc:
            self._condition_failed(exc, slug, expected_version)
        return plain(response["Attributes"])

    def delete(self, slug: str, *, expected_version: int | None) -> None:
        names = {"#slug": "slug"}
        params: dict[str, Any] = {"Key": {"slug": slug}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
        condition = "attribute_exists(#slug)"
        if expected_version is not None:
            names["#version"] = "version"
            params["ExpressionAttributeValues"] = {":expected": expected_version}
            condition += " AND #version = :expected"
        try:
            self._table.delete_item(**params, ConditionExpression=condition, ExpressionAttributeNames=names)
        except client_error() as exc:
            self._condition_failed(exc, slug, expected_version)

    def _condition_failed(self, exc: ClientError, slug: str, expected_version: int | None):
        def current() -> int | None:
            item = self.get(slug, consistent=True)
            return item["version"] if item else None

        raise_condition_failure(exc, slug, expected_version, current)
