"""Fan-out checkpoints: how far the send jobs of one post have been enqueued, one item per post.

They live in the idempotency table under `fanout#<slug>` (Powertools' own keys start with the function's
name, so the two never meet). The cursor is the index's LastEvaluatedKey after the last page enqueued in
full, so a fan-out that dies mid-page resumes at that page: some jobs of it are enqueued twice, none lost
(send-post-email is idempotent per post and subscriber).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple


class Checkpoint(NamedTuple):
    cursor: dict | None
    done: bool
    queued: int


class CheckpointStore:
    def __init__(self, table_name: str, client: Callable[[str], Any]):
        self.table_name = table_name
        self._client = client

    def get(self, slug: str) -> Checkpoint:
        found = self._client("dynamodb").get_item(
            TableName=self.table_name, Key={"id": {"S": f"fanout#{slug}"}}, ConsistentRead=True
        )
        item = found.get("Item")
        if not item:
            return Checkpoint(None, False, 0)
        cursor = json.loads(item["cursor"]["S"]) if "cursor" in item else None
        return Checkpoint(cursor, item.get("done", {}).get("BOOL", False), int(item.get("queued", {}).get("N", 0)))

    def save(self, slug: str, checkpoint: Checkpoint) -> None:
        item: dict[str, Any] = {
            "id": {"S": f"fanout#{slug}"},
            "done": {"BOOL": checkpoint.done},
            "queued": {"N": str(checkpoint.queued)},
        }
        if checkpoint.cursor is not None:
            item["cursor"] = {"S": json.dumps(checkpoint.cursor, separators=(",", ":"))}
        self._client("dynamodb").put_item(TableName=self.table_name, Item=item)
