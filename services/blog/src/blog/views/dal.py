"""The posts table's view counter: one conditional UpdateItem per post per batch.

`ADD views :n` is atomic, so concurrent batches (several shards) never lose an increment. The condition
`attribute_exists(slug)` keeps a view of an unknown slug from creating an item. `viewsShard`/`viewsSeq`
mark the last record counted, so a batch that is delivered again is not counted again.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError
from common.tables import TableProvider

from blog.views.logic import Increment, Outcome

UPDATE = "ADD #views :n SET #shard = :shard, #seq = :last"
CONDITION = "attribute_exists(#slug) AND (attribute_not_exists(#seq) OR #shard <> :shard OR #seq < :first)"
NAMES = {"#views": "views", "#slug": "slug", "#shard": "viewsShard", "#seq": "viewsSeq"}


class DynamoCounterStore:
    def __init__(self, tables: TableProvider):
        self.tables = tables

    def add_views(self, increment: Increment) -> str:
        try:
            self.tables.table.update_item(
                Key={"slug": increment.slug},
                UpdateExpression=UPDATE,
                ConditionExpression=CONDITION,
                ExpressionAttributeNames=NAMES,
                ExpressionAttributeValues={
                    ":n": increment.count,
                    ":shard": increment.shard,
                    ":first": increment.first,
                    ":last": increment.last,
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return Outcome.ALREADY_COUNTED if _old_item(exc) else Outcome.UNKNOWN_POST
        return Outcome.APPLIED


def _old_item(exc: ClientError) -> Any:
    return exc.response.get("Item")
