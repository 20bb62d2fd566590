"""SendMessage reads the one queue attribute it needs instead of computing all of them.

moto's SendMessage (and its validation, and FIFO deduplication) asks `queue.attributes` for
`ContentBasedDeduplication`. That property builds every attribute, the three message counts included,
each a pass over all of the queue's messages, so each send costs O(messages in the queue): a queue
that fills up gets slower to fill. While a send runs here, `queue.attributes` is a view that computes
only the keys asked for, the way the property computes them; anything else asked of the view (its
keys, its items, its length) gets the full dictionary.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from typing import Any

from localcloud.moto_patches.switch import state

_MISSING = object()
_sending = threading.local()


class AttributeView:
    """`Queue.attributes`, one key at a time."""

    def __init__(self, queue: Any, full: Any):
        self._queue = queue
        self._full = full

    def _value(self, key: str) -> Any:
        from moto.core.utils import camelcase_to_underscores

        queue = self._queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:
            names += queue.KMS_ATTRIBUTES
        if (
            key not in names
            and not (key == "Policy" and queue.policy)
            and not (key == "RedrivePolicy" and queue.redrive_policy)
        ):
            return _MISSING
        value = getattr(queue, camelcase_to_underscores(key)) if key in names else None
        if key == "Policy" and queue.policy:
            value = queue.policy
        if key == "RedrivePolicy" and queue.redrive_policy:
            value = json.dumps(queue.redrive_policy)
        return str(value).lower() if isinstance(value, bool) else value

    def get(self, key: str, default: Any = None) -> Any:
        value = self._value(key)
        return default if value is _MISSING else value

    def __getitem__(self, key: str) -> Any:
        value = self._value(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._value(key) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        return iter(self._full(self._queue))

    def __len__(self) -> int:
        return len(self._full(self._queue))

    def __getattr__(self, name: str) -> Any:  # keys(), items(), values(), copy(), ...
        return getattr(self._full(self._queue), name)


def apply() -> None:
    from moto.sqs.models import Queue, SQSBackend

    full = Queue.attributes.fget

    def attributes(self: Any) -> Any:
        if getattr(_sending, "active", False) and state.on:
            return AttributeView(self, full)
        return full(self)

    Queue.attributes = property(attributes)
    for name in ("send_message", "send_message_batch"):
        original = getattr(SQSBackend, name)

        @functools.wraps(original)
        def sending(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            outer = getattr(_sending, "active", False)
            _sending.active = True
            try:
                return _original(self, *args, **kwargs)
            finally:
                _sending.active = outer

        setattr(SQSBackend, name, sending)
