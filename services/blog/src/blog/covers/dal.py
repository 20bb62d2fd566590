"""The posts' covers in the posts table (find them by upload id through CoverIndex, read one, write one)
and the processed uploads in the covers table (key `id`)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from common.tables import TableProvider

from blog.dal.dynamo import plain


class DynamoCoverStore:
    def __init__(self, tables: TableProvider, index: str, media: TableProvider):
        self.tables = tables
        self.index = index
        self.media_tables = media

    def save_media(self, data: dict) -> None:
        self.media_tables.table.put_item(Item=data)

    def media(self, media_id: str) -> dict | None:
        item = self.media_tables.table.get_item(Key={"id": media_id}, ConsistentRead=True).get("Item")
        return None if item is None else plain(item)

    def posts_with_cover(self, media_id: str) -> list[str]:
        slugs: list[str] = []
        args: dict[str, Any] = {
            "IndexName": self.index,
            "KeyConditionExpression": "coverId = :id",
            "ExpressionAttributeValues": {":id": media_id},
        }
        while True:
            page = self.tables.table.query(**args)
            slugs += [item["slug"] for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return slugs
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def cover_of(self, slug: str) -> tuple[str | None, Any]:
        item = self.tables.table.get_item(
            Key={"slug": slug},
            ProjectionExpression="coverId, cover",
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None, None
        return item.get("coverId"), item.get("cover")

    def set_cover(self, slug: str, media_id: str, cover: dict) -> bool:
        try:
            self.tables.table.update_item(
                Key={"slug": slug},
                UpdateExpression="SET cover = :cover",
                ConditionExpression="coverId = :id",
                ExpressionAttributeValues={":cover": cover, ":id": media_id},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True
