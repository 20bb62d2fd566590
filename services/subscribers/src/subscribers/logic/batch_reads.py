"""What one batch of send jobs reads, read once for the batch: each post from the blog's API, and the
batch's subscribers in one strongly consistent BatchGetItem, made when the first job needs one.

The subscribers are read at the start of the batch's sends, not before each email: an unsubscribe that
lands while a batch sends (under a second at full rate) may still get that one email, as it may between
any read and the send that follows it.
"""

from __future__ import annotations

from collections.abc import Callable

from subscribers.dal.store import Subscriber, SubscriberStore


class BatchReads:
    def __init__(self, subscriber_ids: list[str], store: SubscriberStore, fetch_post: Callable[[str], dict | None]):
        self._ids = subscriber_ids
        self._asked = set(subscriber_ids)
        self._store = store
        self._fetch_post = fetch_post
        self._posts: dict[str, dict | None] = {}
        self._subscribers: dict[str, Subscriber] | None = None

    def post(self, slug: str) -> dict | None:
        if slug not in self._posts:
            self._posts[slug] = self._fetch_post(slug)
        return self._posts[slug]

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        if self._subscribers is None:
            self._subscribers = self._store.get_many(self._ids)
        if subscriber_id in self._asked:
            return self._subscribers.get(subscriber_id)
        return self._store.get(subscriber_id)
