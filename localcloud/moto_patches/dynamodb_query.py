"""A DynamoDB Query on a table's own key reads its partition, kept sorted, not the whole table.

moto's `Table.query` collects every item of the table, sorts them all, keeps the partition's, sorts
those again, and walks from the first one, ExclusiveStartKey pages included: a 20-item page costs
O(table log table). Here each partition is a `Partition`, a dict that keeps its items' range-key order
(sorted once, then updated by each put and delete), and a page starts at its ExclusiveStartKey by
bisection with moto's own ordering predicate. The rest (limits, the 1 MB page size, range conditions,
legacy QueryFilter, filter expressions, projections, LastEvaluatedKey) is moto's code, step for step,
except that an item's size is computed once per step (`item_size`, moto's arithmetic), and the page is
deep-copied only when a filter or a projection will read it (moto copies it always). Queries on an
index, and tables whose partitions are not `Partition`s, go to moto.
"""

from __future__ import annotations

import bisect
import copy
import functools
from collections import defaultdict
from typing import Any

from localcloud.moto_patches.semantics import WRITE_LOCK
from localcloud.moto_patches.switch import state


class Partition(dict):
    """One hash key's items by range key. `ordered()` is their range-key order: computed on first use,
    then kept up to date by puts and deletes (a bisection and a copy of the list, never a re-sort; the
    copy, so that a reader iterating the old order never sees it change) and dropped by anything else."""

    _ordered: list | None = None
    _keys: list | None = None  # the range keys' cast values, in the same order

    def ordered(self) -> list:
        ordered = self._ordered
        if ordered is None:
            with WRITE_LOCK:  # writes change partitions under this lock: none can slip in between
                ordered = self._ordered
                if ordered is None:
                    ordered = sorted(self.values(), key=_order)
                    self._keys = [_order(item) for item in ordered]
                    self._ordered = ordered
        return ordered

    def __setitem__(self, key: Any, value: Any) -> None:
        ordered, keys = self._ordered, self._keys
        existed = key in self
        self._ordered = None
        super().__setitem__(key, value)
        if ordered is None or keys is None:
            return
        try:
            cast = _order(value)
            at = bisect.bisect_left(keys, cast)
            if existed:
                if at == len(keys) or keys[at] != cast:
                    return  # not where it should be: forget the order, the next query sorts afresh
                ordered = ordered.copy()
                ordered[at] = value
            else:
                ordered, keys = ordered.copy(), keys.copy()
                ordered.insert(at, value)
                keys.insert(at, cast)
        except Exception:  # e.g. keys that do not compare: the next query sorts (and fails) as moto would
            return
        self._keys, self._ordered = keys, ordered

    def _drop(self, item: Any) -> None:
        ordered, keys = self._ordered, self._keys
        self._ordered = None
        if ordered is None or keys is None:
            return
        try:
            at = bisect.bisect_left(keys, _order(item))
            if at == len(keys) or ordered[at] is not item:
                return
        except Exception:
            return
        self._keys, self._ordered = keys[:at] + keys[at + 1 :], ordered[:at] + ordered[at + 1 :]

    def __delitem__(self, key: Any) -> None:
        item = self[key]
        super().__delitem__(key)
        self._drop(item)

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        item = super().pop(key)
        self._drop(item)
        return item

    def popitem(self) -> Any:
        self._ordered = None
        return super().popitem()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        self._ordered = None
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._ordered = None
        super().update(*args, **kwargs)

    def clear(self) -> None:
        self._ordered = None
        super().clear()

    def __ior__(self, other: Any) -> Partition:
        self._ordered = None
        return super().__ior__(other)

    def __reduce__(self) -> Any:  # pickle and deepcopy the items, never the cached order
        return (Partition, (dict(self),))


def _order(item: Any) -> Any:
    return item.range_key.cast_value


def apply() -> None:
    from moto.dynamodb.models.table import Table

    original_init = Table.__init__
    original_query = Table.query

    @functools.wraps(original_init)
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.range_key_attr and isinstance(self.items, defaultdict) and not self.items:
            self.items = defaultdict(Partition)

    @functools.wraps(original_query)
    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, consistent_read=False, filter_expression=None,
              hash_key_conditions=None, range_key_conditions=None, **filter_kwargs):  # fmt: skip
        partition = self.items.get(hash_key) if hash_key is not None else None
        usable = partition is None or type(partition) is Partition
        if not state.on or index_name or hash_key is None or not self.range_key_attr or not usable:
            return original_query(
                self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                projection_expressions, index_name, consistent_read, filter_expression,
                hash_key_conditions=hash_key_conditions, range_key_conditions=range_key_conditions, **filter_kwargs,
            )  # fmt: skip
        last_range_key_name = range_key_conditions[-1][0] if range_key_conditions else None
        possible_results = partition.ordered() if partition is not None else []
        if scan_index_forward is False:
            possible_results = possible_results[::-1]
        start = 0
        if exclusive_start_key is not None:
            hash_attrs, range_attrs = [self.hash_key_attr], [self.range_key_attr]

            def before(item: Any) -> bool:
                return self._item_comes_before_dct(
                    item, exclusive_start_key, hash_attrs, range_attrs, scan_index_forward
                )

            start = _first_false(possible_results, before)
        return _page(
            self, possible_results, start, limit, range_comparison, range_objs, last_range_key_name,
            filter_kwargs, filter_expression, projection_expressions,
        )  # fmt: skip

    Table.__init__ = __init__
    Table.query = query
    _query_under_the_write_lock()


def _query_under_the_write_lock() -> None:
    """The page is not deep-copied (see `_page`), so the handler holds the write lock until it has turned
    the page into new dicts (`DynamoResult`): no write can change an item while it is being read out."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.query

    @functools.wraps(original)
    def query(self: Any) -> Any:
        if not state.on:
            return original(self)
        with WRITE_LOCK:
            return original(self)

    DynamoHandler.query = query


def _first_false(items: list, predicate: Any) -> int:
    """The index of the first item for which `predicate` (True on a prefix, then False) is False."""
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        if predicate(items[middle]):
            low = middle + 1
        else:
            high = middle
    return low


def item_size(item: Any) -> int:
    """`Item.size()`, with `DynamoType.size()`'s scalar cases inline (sets, lists and maps ask moto)."""
    total = 0
    for name, value in item.attrs.items():
        kind, raw = value.type, value.value
        if kind == "N":
            size = len(str(raw))
        elif kind in _NESTED:
            size = value.size()
        elif isinstance(raw, bool):
            size = 1
        else:
            size = len(raw if isinstance(raw, bytes) else raw.encode("utf-8"))
        total += len(name if isinstance(name, bytes) else name.encode("utf-8")) + size
    return total


_NESTED = frozenset({"SS", "NS", "BS", "L", "M"})


def _no_filter(filter_expression: Any) -> bool:
    """No FilterExpression: moto parses an absent one into `OpDefault`, whose `expr` is always True."""
    from moto.dynamodb.comparisons import OpDefault

    return filter_expression is None or type(filter_expression) is OpDefault


def _page(table, possible_results, start, limit, range_comparison, range_objs, last_range_key_name,
          filter_kwargs, filter_expression, projection_expressions):  # fmt: skip
    """moto's `Table.query` from its FILTER step on, for a query on the table's own key."""
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    results: list = []
    result_size = 0
    scanned_count = 0
    last_evaluated_key = None
    for index in range(start, len(possible_results)):
        result = possible_results[index]
        size = item_size(result)  # moto asks it up to three times; the item cannot change in between
        reached_length_limit = len(results) == limit
        reached_size_limit = (result_size + size) > RESULT_SIZE_LIMIT
        if reached_length_limit or reached_size_limit:
            last_evaluated_key = table._get_last_evaluated_key(results[-1], None)
            break
        if not range_comparison and not filter_kwargs:
            results.append(result)
            result_size += size
            scanned_count += 1
        if range_comparison:
            if last_range_key_name and result.attrs.get(last_range_key_name):
                if result.attrs.get(last_range_key_name).compare(range_comparison, range_objs):
                    results.append(result)
                    result_size += size
                    scanned_count += 1
            elif result.range_key.compare(range_comparison, range_objs):
                results.append(result)
                result_size += size
                scanned_count += 1
        if filter_kwargs:
            for field, value in filter_kwargs.items():
                dynamo_types = [DynamoType(ele) for ele in value["AttributeValueList"]]
                if result.attrs.get(field).compare(value["ComparisonOperator"], dynamo_types):
                    results.append(result)
                    result_size += size
            scanned_count += 1
    if _no_filter(filter_expression) and not projection_expressions:
        # moto deep-copies the page so that filters and projections cannot touch the stored items. Without
        # either, the page only goes to the response, which reads it (`dynamo_to_dict` builds new objects)
        # while holding the write lock (`_query_under_the_write_lock`).
        return results, scanned_count, last_evaluated_key
    results = copy.deepcopy(results)
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    if projection_expressions:
        results = [r.project(projection_expressions) for r in results]
    return results, scanned_count, last_evaluated_key
