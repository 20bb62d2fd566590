"""Table items (of AWS::DynamoDB::Table and ::GlobalTable), saved in DynamoDB's own wire form and put
back without stream records.

Restoring must not look like new writes: a stream consumer (a welcome email, a counter) would run again
for data it already handled. So items go in at the model level with the table's stream detached. A
table whose key schema changed since the save is skipped, and said so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from localcloud.model import TABLE_TYPES
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "dynamodb"


def _key(table: Any) -> list[str | None]:
    return [table.hash_key_attr, table.range_key_attr]


def save(scope: Scope) -> Iterator[dict]:
    tables = moto_backend(scope, "dynamodb").tables
    for name in sorted(scope.refs(*TABLE_TYPES)):
        table = tables.get(name)
        if table is None:
            continue
        items = [item.to_json()["Attributes"] for item in list(table.all_items())]
        yield {"table": name, "key": _key(table), "items": items}


def restore(scope: Scope, records: list[dict]) -> Restored:
    done = Restored()
    tables = moto_backend(scope, "dynamodb").tables
    for record in records:
        table = tables.get(record["table"])
        if table is None:
            done.skipped.append(f"table {record['table']} is no longer in the template")
            continue
        if _key(table) != record["key"]:
            done.skipped.append(f"table {record['table']}: its key schema changed, its items were not restored")
            continue
        stream, table.stream_shard = table.stream_shard, None
        try:
            for attrs in record["items"]:
                table.put_item(attrs, overwrite=True)
        finally:
            table.stream_shard = stream
        done.add("items", len(record["items"]))
    return done
