"""DynamoDB AttributeValues are serialized directly, not through moto's generic shape walker.

moto 5.2 serializes every response by walking the operation's output shape, and for each member of each
structure it tries up to eight spellings of the member's name (`moto/core/serialize.py`'s attribute
picker). An AttributeValue has ten members, so one 8-attribute item costs hundreds of Python calls, and
a 20-item Query page some 40 000, for data that moto already holds in DynamoDB's wire form.

`AttributeValueSerializer` is the serializer moto uses for DynamoDB's JSON protocol, with shortcuts:
a list of items, a map of AttributeValues (an item, a key) and an AttributeValue are converted in one
recursive pass that gives what the generic walk gives (the same member order, base64 of blobs, None
members and map entries left out, None list entries kept). It takes the shortcut only for plain dicts
and lists whose keys are AttributeValue member names and whose leaves have the expected types; anything
else, and everything inside `switch.stock()`, takes moto's walk.

Before that, moto turns its `DynamoType`s into such dicts (`dynamo_to_dict`); `plain()` does the same
with exact-type checks first, and hands any other type to moto's function.
"""

from __future__ import annotations

import base64
from typing import Any

from localcloud.moto_patches.switch import state

_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
_MEMBER_SET = frozenset(_MEMBERS)


class _Unusual(Exception):
    """A value the shortcut does not handle; the generic walk serializes it."""


def attribute_value(value: Any) -> dict[str, Any]:
    """One AttributeValue (a dict such as moto's `dynamo_to_dict` makes) as moto's JSON serializer emits it."""
    if type(value) is not dict or not _MEMBER_SET.issuperset(value):
        raise _Unusual
    out: dict[str, Any] = {}
    for member in _MEMBERS if len(value) > 1 else value:
        item = value.get(member)
        if item is None:
            continue
        if member in ("S", "N"):
            if type(item) is not str:
                raise _Unusual
            out[member] = item
        elif member == "B":
            out[member] = _base64(item)
        elif member in ("SS", "NS"):
            if type(item) not in (list, set) or any(type(e) is not str for e in item):
                raise _Unusual
            out[member] = list(item)
        elif member == "BS":
            if type(item) not in (list, set):
                raise _Unusual
            out[member] = [_base64(e) for e in item]
        elif member == "M":
            out[member] = attribute_map(item)
        elif member == "L":
            if type(item) is not list:
                raise _Unusual
            out[member] = [None if e is None else attribute_value(e) for e in item]
        else:  # NULL, BOOL: booleans go out as they are
            out[member] = item
    return out


def attribute_map(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise _Unusual
    out: dict[str, Any] = {}
    for name, item in value.items():
        if item is None:
            continue
        if type(item) is dict and len(item) == 1:  # most attributes: a string, a number or a boolean
            member = next(iter(item))
            kind = type(item[member])
            if (kind is str and member in ("S", "N")) or (kind is bool and member in ("BOOL", "NULL")):
                out[name] = item  # what the walk would build, so the very dict (`plain` made it new)
                continue
        out[name] = attribute_value(item)
    return out


def plain(obj: Any) -> Any:
    """`moto.dynamodb.models.utilities.dynamo_to_dict`, faster on the types moto's items are made of."""
    kind = type(obj)
    if kind in _LEAVES:
        return obj
    if kind in _DICTS:
        out = {}
        dynamo_type = _DynamoType[0]
        for k, v in obj.items():  # an item's attributes: DynamoTypes, mostly of a str or a bool
            if type(v) is dynamo_type and type(v.value) in _LEAVES and v.type not in ("B", "BS"):
                out[k] = {v.type: v.value}
            else:
                out[k] = plain(v)
        return out
    if kind is list:
        return [plain(v) for v in obj]
    if kind is _DynamoType[0] and obj.type not in ("B", "BS"):
        return {obj.type: plain(obj.value)}
    return _dynamo_to_dict[0](obj)


_LEAVES = frozenset({str, int, float, bool, type(None)})
_DICTS: set[type] = {dict}  # and moto's LimitedSizeDict (an item's attributes), as apply() checks
_DynamoType: list[Any] = [None]
_dynamo_to_dict: list[Any] = [None]


def _base64(value: Any) -> str:
    if type(value) is str:
        value = value.encode("utf-8")
    elif type(value) is not bytes:
        raise _Unusual
    return base64.b64encode(value).strip().decode("utf-8")


def apply() -> None:
    from moto.core import serialize
    from moto.dynamodb import responses
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

    _DynamoType[0] = DynamoType
    if issubclass(LimitedSizeDict, dict) and not hasattr(LimitedSizeDict, "to_json"):  # dynamo_to_dict's dict case
        _DICTS.add(LimitedSizeDict)
    _dynamo_to_dict[0] = original = responses.dynamo_to_dict

    def dynamo_to_dict(obj: Any) -> Any:
        return plain(obj) if state.on else original(obj)

    responses.dynamo_to_dict = dynamo_to_dict
    base = serialize.get_serializer_class("dynamodb", "json")

    class AttributeValueSerializer(base):
        def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
            if key and state.on and shape.name == "AttributeValue" and value is not None:
                try:
                    serialized[self.get_serialized_name(shape, key)] = attribute_value(value)
                    return
                except _Unusual:
                    pass
            super()._serialize_type_structure(serialized, value, shape, key)

        def _serialize_type_list(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
            member = shape.member
            if state.on and member.type_name == "map" and member.value.name == "AttributeValue":
                try:  # a list of items: each a map, never None (moto's walk would fail on None)
                    serialized[self.get_serialized_name(shape, key)] = [attribute_map(v) for v in value]
                    return
                except _Unusual:
                    pass
            super()._serialize_type_list(serialized, value, shape, key)

        def _serialize_type_map(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
            if state.on and shape.value.name == "AttributeValue":
                try:
                    serialized[self.get_serialized_name(shape, key)] = attribute_map(value)
                    return
                except _Unusual:
                    pass
            super()._serialize_type_map(serialized, value, shape, key)

    serialize.SERVICE_SPECIFIC_SERIALIZERS.setdefault("dynamodb", {})["json"] = AttributeValueSerializer
