"""JSON for the values moto keeps in its models: bytes, datetimes, sets and tuples survive a round trip.

Plain model objects (an SQS message, an SSM parameter version, a sent email) are saved as their class and
attribute dict and rebuilt with `__new__`, so no constructor runs and no id is drawn again. Only classes
on the caller's allow-list are rebuilt; a snapshot names a class, it never chooses code to run.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Iterable
from typing import Any


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        tag_like = len(value) == 1 and str(next(iter(value))).startswith("$")
        if not tag_like and all(isinstance(k, str) for k in value):
            return {k: encode(v) for k, v in value.items()}
        return {"$map": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"$set": [encode(v) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot save a {type(value).__name__}")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$b64":
            return base64.b64decode(inner)
        if tag == "$dt":
            return datetime.datetime.fromisoformat(inner)
        if tag == "$date":
            return datetime.date.fromisoformat(inner)
        if tag == "$set":
            return {decode(v) for v in inner}
        if tag == "$tuple":
            return tuple(decode(v) for v in inner)
        if tag == "$map":
            return {decode(k): decode(v) for k, v in inner}
    return {k: decode(v) for k, v in value.items()}


def encode_object(obj: Any, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    skipped = set(exclude)
    cls = type(obj)
    return {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "attrs": {k: encode(v) for k, v in vars(obj).items() if k not in skipped},
    }


def decode_object(record: dict[str, Any], allowed: Iterable[type]) -> Any:
    classes = {f"{c.__module__}:{c.__qualname__}": c for c in allowed}
    cls = classes.get(record.get("class", ""))
    if cls is None:
        raise ValueError(f"a saved object of class {record.get('class')!r} is not one this section restores")
    obj = cls.__new__(cls)
    obj.__dict__.update(decode(record["attrs"]))
    return obj
