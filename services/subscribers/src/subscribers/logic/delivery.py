"""Sending the emails: a welcome to a new subscriber, a new post to an active one.

Each returns what happened (`sent`, `rejected`, `skipped`), which the handlers' idempotency records keep:
a permanent SES refusal is recorded on the subscriber and not retried; any other failure raises, so the
record is retried by its event source.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from subscribers.dal.mailer import Rejected, SesMailer
from subscribers.dal.store import ACTIVE, Subscriber, SubscriberStore
from subscribers.logic import emails
from subscribers.tokens import Tokens

# On the blog's own domain: its distribution routes /api/subscribers* to this API (same origin as the site).
UNSUBSCRIBE_PATH = "/api/subscribers/unsubscribe"


class Pacer:
    """At most one send per `interval` seconds from this worker (reserved concurrency times this pace is the rate)."""

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic, sleep=time.sleep):
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


class Delivery:
    def __init__(
        self,
        mailer: SesMailer,
        store: SubscriberStore,
        tokens: Callable[[], Tokens],
        brand: Callable[[], emails.Brand],
        pacer: Pacer | None = None,
    ):
        self.mailer = mailer
        self.store = store
        self.tokens = tokens
        self.brand = brand
        self.pacer = pacer

    def unsubscribe_link(self, brand: emails.Brand, subscriber_id: str) -> str:
        token = quote(self.tokens().unsubscribe_token(subscriber_id))
        return f"{brand.site_url.rstrip('/')}{UNSUBSCRIBE_PATH}?token={token}"

    def _send(self, subscriber_id: str, message: Any) -> dict:
        if self.pacer is not None:
            self.pacer.wait()
        try:
            message_id = self.mailer.send(message)
        except Rejected as exc:
            self.store.record_rejection(subscriber_id, str(exc))
            return {"status": "rejected", "reason": str(exc)[:200]}
        return {"status": "sent", "messageId": message_id}

    def welcome(self, subscriber: dict) -> dict:
        """`subscriber` is the item the stream inserted (id, email, name)."""
        brand = self.brand()
        link = self.unsubscribe_link(brand, subscriber["id"])
        message = emails.welcome(brand, subscriber["email"], subscriber.get("name"), link)
        return self._send(subscriber["id"], message)

    def new_post(
        self,
        job: dict,
        post: Callable[[str], dict | None],
        subscriber_of: Callable[[str], Subscriber | None] | None = None,
    ) -> dict:
        """Email post `job["slug"]` to subscriber `job["id"]` if they are still active: as `subscriber_of` reads
        them (the batch's read), or as the table says at this moment."""
        subscriber = (subscriber_of or self.store.get)(job["id"])
        if subscriber is None or subscriber.get("status") != ACTIVE:
            return {"status": "skipped", "reason": "not subscribed"}
        found = post(job["slug"])
        if found is None:
            return {"status": "skipped", "reason": "no such published post"}
        brand = self.brand()
        link = self.unsubscribe_link(brand, subscriber["id"])
        return self._send(subscriber["id"], emails.new_post(brand, subscriber["email"], found, link))
