"""Safe retries for creates: an `Idempotency-Key` header makes a create run once per (caller, key).

The first answer is kept (Powertools idempotency on a DynamoDB table with a TTL) and every retry with the
same key and the same body gets it again, so a client on a flaky network can resend a create freely. The
same key with another body is a 422 (the key was reused for a different request), and a retry while the
first is still running is a 409. The key is scoped to the caller: another user's identical key is another
record. Powertools' idempotency package is imported on the first keyed create only, never by a read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from common.errors import BadRequest, Conflict, UnprocessableEntity

HEADER = "Idempotency-Key"
# What the OpenAPI files publish: 1 to 128 of letters, digits and `._:-` (a UUID, a ULID, a counter).
KEY_PATTERN = "^[A-Za-z0-9._:-]{1,128}$"
KEY_MAX = 128
DEFAULT_EXPIRY_SECONDS = 24 * 3600


def parse_key(value: str | None) -> str | None:
    """The header's key; absent → None (the create runs as before); malformed → 400."""
    if value is None:
        return None
    if not re.fullmatch(KEY_PATTERN, value):
        raise BadRequest(
            f"{HEADER} must be 1 to {KEY_MAX} letters, digits or ._:- characters, not {value[:40]!r}",
            code="InvalidIdempotencyKey",
        )
    return value


def run_once(
    creates: IdempotentCreates | None,
    scope: str,
    key: str | None,
    body: object,
    create: Callable[[], dict],
    lambda_context: Any = None,
) -> dict:
    """`create()` when there is no key, else through `creates`; a key without a store is a deploy error."""
    if key is None:
        return create()
    if creates is None:
        raise RuntimeError(f"an {HEADER} needs an idempotency table, and this function was given none")
    return creates.run(scope, key, body, create, lambda_context)


class IdempotentCreates:
    """Runs one kind of create at most once per (scope, key), replaying its result to retries.

    `name` prefixes the stored keys (one table can serve several operations). On first use it builds
    Powertools' DynamoDB persistence on `table_name` with a client of boto3's default session, the one
    the service's table already loaded the DynamoDB model into (Powertools' own new session would load
    it again: ~80 ms of CPU on the first keyed create, bench/idempotency_cost.py).
    """

    def __init__(
        self,
        table_name: str,
        name: str,
        *,
        expires_after_seconds: int = DEFAULT_EXPIRY_SECONDS,
    ):
        self.table_name = table_name
        self.name = name
        self.expires_after_seconds = expires_after_seconds
        self._once: Callable[..., Any] | None = None
        self._config: Any = None

    def run(self, scope: str, key: str, body: object, create: Callable[[], dict], lambda_context: Any = None) -> dict:
        """`create()`, or the result of the first call with this scope, key and body."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyValidationError,
        )

        once = self._once or self._build()
        if lambda_context is not None:
            # an in-progress record then expires with the invocation, so a crashed create frees its key
            self._config.register_lambda_context(lambda_context)
        try:
            return once(request={"scope": scope, "key": key, "body": body}, create=create)
        except IdempotencyValidationError:
            raise UnprocessableEntity(
                f"{HEADER} {key} was already used with a different request body", code="IdempotencyKeyReused"
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise Conflict(
                f"a request with {HEADER} {key} is still in progress; retry shortly", code="IdempotencyKeyInProgress"
            ) from None

    def _build(self) -> Callable[..., Any]:
        import boto3
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        self._config = IdempotencyConfig(
            event_key_jmespath="[scope, key]",
            payload_validation_jmespath="body",
            expires_after_seconds=self.expires_after_seconds,
        )
        store = DynamoDBPersistenceLayer(table_name=self.table_name, boto3_client=boto3.client("dynamodb"))

        @idempotent_function(
            data_keyword_argument="request", config=self._config, persistence_store=store, key_prefix=self.name
        )
        def once(*, request: dict, create: Callable[[], dict]) -> dict:
            return create()

        self._once = once
        return once
