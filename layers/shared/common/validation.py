"""JSON Schema validation of request bodies, compiled once per process with fastjsonschema.

fastjsonschema ships with Powertools' validation extra and keeps pydantic off the cold path. A failure
becomes a 400 whose message names the offending field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from common.errors import BadRequest


class SchemaValidator:
    """Validates against one schema; compiles it on first use so importing a handler stays cheap."""

    def __init__(self, schema: dict, *, name: str = "body"):
        self.schema = schema
        self.name = name
        self._compiled: Callable[[Any], Any] | None = None

    def _validator(self) -> Callable[[Any], Any]:
        if self._compiled is None:
            import fastjsonschema

            self._compiled = fastjsonschema.compile(self.schema, use_default=False)
        return self._compiled

    def __call__(self, data: Any) -> Any:
        import fastjsonschema

        try:
            return self._validator()(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            message = exc.message
            if message.startswith("data"):
                message = self.name + message[len("data") :]
            raise BadRequest(message, code="ValidationError") from None
