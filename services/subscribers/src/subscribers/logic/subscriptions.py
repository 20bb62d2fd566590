"""Subscribe and unsubscribe: the API's use cases.

Subscribing answers the same whether or not the address was there (the API never reveals who subscribed),
and inserts at most one item per canonical address, so the stream welcomes each address once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from common.errors import BadRequest

from subscribers import addresses
from subscribers.dal.store import ACTIVE, SubscriberStore
from subscribers.tokens import Tokens

NAME_MAX = 100
FIELDS = {"email", "name"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _name(raw: object) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str) or len(raw) > NAME_MAX:
        raise BadRequest(f"name must be a string of at most {NAME_MAX} characters", code="InvalidName")
    cleaned = " ".join("".join(c for c in raw if c.isprintable()).split())
    return cleaned or None


class SubscriptionService:
    def __init__(self, store: SubscriberStore, tokens: Callable[[], Tokens], clock: Callable[[], str] = _now):
        self.store = store
        self.tokens = tokens
        self.clock = clock

    def subscribe(self, body: object) -> None:
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object with an email", code="InvalidBody")
        unknown = sorted(set(body) - FIELDS)
        if unknown:
            raise BadRequest(f"unknown fields: {', '.join(unknown)[:100]}", code="InvalidBody")
        address = addresses.canonical(body.get("email"))
        name = _name(body.get("name"))
        subscriber = {
            "id": self.tokens().subscriber_id(address),
            "email": address,
            "status": ACTIVE,
            "subscribedAt": self.clock(),
        }
        if name:
            subscriber["name"] = name
        self.store.add(subscriber)

    def check(self, token: object) -> str:
        """The subscriber id of a genuine token; 400 for anything else."""
        subscriber_id = self.tokens().subscriber_of(token)
        if subscriber_id is None:
            raise BadRequest("this unsubscribe link is not valid", code="InvalidToken")
        return subscriber_id

    def unsubscribe(self, token: object) -> None:
        self.store.unsubscribe(self.check(token))
