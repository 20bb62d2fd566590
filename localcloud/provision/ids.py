"""Ids that derive from stack and logical id, so a client's config never changes between runs or clones.

moto draws every id it generates (user pool and app client ids, client secrets, identity pool ids, IAM
role ids, API resource ids) from one seedable RNG, `mock_random`. Seeding it from a resource's address
just before that resource is created makes its ids a function of the stack name and logical id alone:
the same on every run, on every clone, whatever else the template holds or in what order. Afterwards the
RNG is reseeded from the OS, so the ids moto makes at run time (message ids, tokens, user subs) stay
unpredictable. Provisioning is the only thing using moto while this runs.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def ids_from(stack_name: str, logical_id: str) -> Iterator[None]:
    from moto.moto_api._internal import mock_random

    digest = hashlib.sha256(f"localcloud-ids/{stack_name}/{logical_id}".encode()).digest()
    mock_random.seed(int.from_bytes(digest[:8], "big"))
    try:
        yield
    finally:
        mock_random.seed(secrets.randbits(64))


@contextmanager
def unpredictable() -> Iterator[None]:
    """Within `ids_from`: draw from the OS for a value that must not be derivable (a generated password),
    then go back to the resource's sequence, so the ids drawn after it stay the same on every run."""
    from moto.moto_api._internal import mock_random

    state = mock_random.getstate()
    mock_random.seed(secrets.randbits(64))
    try:
        yield
    finally:
        mock_random.setstate(state)
