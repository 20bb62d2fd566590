"""DynamoDB tables for the data browser: their keys and indexes, a page of items, a key query.

Items are shown as plain JSON (numbers as numbers, sets as lists) decoded from DynamoDB's wire form,
and pages continue with an opaque `start` token that is the LastEvaluatedKey, base64 JSON.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

PAGE = 50
SORT_OPERATORS = {
    "=": "=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
    "begins_with": "begins_with",
    "between": "between",
}
_DECODE = TypeDeserializer()


class QueryError(ValueError):
    """The key query form is incomplete or names an unknown index."""


def describe(ddb: Any, name: str) -> dict:
    table = ddb.describe_table(TableName=name)["Table"]
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions") or []}

    def keys(schema: list[dict]) -> dict:
        hash_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)
        range_key = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
        return {"partition": hash_key, "sort": range_key}

    indexes = {"": keys(table["KeySchema"])}
    for index in (table.get("GlobalSecondaryIndexes") or []) + (table.get("LocalSecondaryIndexes") or []):
        indexes[index["IndexName"]] = keys(index["KeySchema"])
    return {
        "name": name,
        "item_count": table.get("ItemCount"),
        "stream": (table.get("StreamSpecification") or {}).get("StreamViewType"),
        "attribute_types": types,
        "indexes": indexes,
    }


def plain(value: Any) -> Any:
    """A decoded item as JSON-friendly values."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, set, frozenset, tuple)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, bytes | bytearray) or type(value).__name__ == "Binary":
        raw = bytes(value.value if hasattr(value, "value") else value)
        return {"base64": base64.b64encode(raw).decode("ascii")}
    return value


def items(ddb: Any, info: dict, query: dict[str, str]) -> dict:
    """A page of items: a key query when the form names a partition key value, else a scan."""
    index = query.get("index") or ""
    if index not in info["indexes"]:
        raise QueryError(f"table {info['name']} has no index {index!r}")
    params: dict[str, Any] = {"TableName": info["name"], "Limit": _limit(query)}
    if index:
        params["IndexName"] = index
    if query.get("start"):
        params["ExclusiveStartKey"] = _token(query["start"])
    if query.get("pk"):
        _key_condition(params, info, info["indexes"][index], query)
        response = ddb.query(**params)
        mode = "query"
    else:
        response = ddb.scan(**params)
        mode = "scan"
    last = response.get("LastEvaluatedKey")
    return {
        "mode": mode,
        "index": index,
        "items": [plain({k: _DECODE.deserialize(v) for k, v in item.items()}) for item in response.get("Items") or []],
        "next": base64.urlsafe_b64encode(json.dumps(last).encode()).decode("ascii") if last else None,
    }


def _limit(query: dict[str, str]) -> int:
    value = query.get("limit", "")
    return min(int(value), 500) if value.isdigit() and int(value) > 0 else PAGE


def _token(text: str) -> dict:
    try:
        key = json.loads(base64.urlsafe_b64decode(text.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        raise QueryError("the page token is not one this console issued") from None
    if not isinstance(key, dict):
        raise QueryError("the page token is not one this console issued")
    return key


def _typed(info: dict, attribute: str, text: str) -> dict:
    kind = info["attribute_types"].get(attribute, "S")
    if kind == "N":
        try:
            Decimal(text)
        except ArithmeticError:
            raise QueryError(f"{attribute} is a number; {text!r} is not") from None
        return {"N": text}
    if kind == "B":
        return TypeSerializer().serialize(text.encode("utf-8"))
    return {"S": text}


def _key_condition(params: dict[str, Any], info: dict, keys: dict, query: dict[str, str]) -> None:
    names = {"#pk": keys["partition"]}
    values = {":pk": _typed(info, keys["partition"], query["pk"])}
    condition = "#pk = :pk"
    operator = query.get("op") or "="
    if query.get("sk") and keys["sort"]:
        if operator not in SORT_OPERATORS:
            raise QueryError(f"unknown sort key condition {operator!r}")
        names["#sk"] = keys["sort"]
        values[":sk"] = _typed(info, keys["sort"], query["sk"])
        if operator == "begins_with":
            condition += " AND begins_with(#sk, :sk)"
        elif operator == "between":
            if not query.get("sk2"):
                raise QueryError("between needs a second sort key value")
            values[":sk2"] = _typed(info, keys["sort"], query["sk2"])
            condition += " AND #sk BETWEEN :sk AND :sk2"
        else:
            condition += f" AND #sk {operator} :sk"
    params.update(KeyConditionExpression=condition, ExpressionAttributeNames=names, ExpressionAttributeValues=values)
