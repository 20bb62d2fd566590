"""A response class's method names are listed once, not on every request.

`BaseResponse.call_action` asks `method_names_from_class(self.__class__)`, which is
`inspect.getmembers` over the whole class hierarchy (a `dir()`, a getattr of every name, a sort), on
every call. The answer depends only on the class, and localcloud patches no response class after it
starts serving, so it is cached per class here.
"""

from __future__ import annotations

import functools
from typing import Any

from localcloud.moto_patches.switch import state


def apply() -> None:
    from moto.core import responses

    original = responses.method_names_from_class
    cached = functools.cache(original)

    @functools.wraps(original)
    def method_names_from_class(clazz: Any) -> list[str]:
        return list(cached(clazz)) if state.on else original(clazz)

    responses.method_names_from_class = method_names_from_class
