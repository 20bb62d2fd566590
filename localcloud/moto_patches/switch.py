"""The one switch the speed patches read: on in localcloud, off (moto's own code) inside `stock()`.

A leaf module, so each patch module can import it without importing the others.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Switch(threading.local):
    on = True


state = _Switch()


@contextmanager
def stock() -> Iterator[None]:
    """Run moto's own code paths in this thread, for tests that compare patched and unpatched results."""
    before = state.on
    state.on = False
    try:
        yield
    finally:
        state.on = before
