"""Builds the use cases once per process from the settings; tests replace them with `use(...)`.

The token key is read from Secrets Manager on first use. `welcome_once` and `post_email_once` are the
deliveries behind Powertools idempotency (DynamoDB records in the idempotency table): a replayed stream
record or a duplicated send job returns the first outcome and sends nothing; a failure deletes the
record, so the retry sends for real.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from subscribers.config import Settings
from subscribers.dal import clients
from subscribers.dal.blog_urls import BlogUrls
from subscribers.dal.checkpoints import CheckpointStore
from subscribers.dal.jobs import JobQueue
from subscribers.dal.mailer import SesMailer
from subscribers.dal.posts import BlogPosts
from subscribers.dal.store import SubscriberStore
from subscribers.logic.batch_reads import BatchReads
from subscribers.logic.delivery import Delivery, Pacer
from subscribers.logic.emails import Brand
from subscribers.logic.fanout import FanOut
from subscribers.logic.subscriptions import SubscriptionService
from subscribers.tokens import Tokens

WELCOME_TTL_SECONDS = 7 * 24 * 3600  # far past the stream's 24 h: a replay within it finds the record
POST_EMAIL_TTL_SECONDS = 30 * 24 * 3600

_lock = threading.RLock()  # builders call one another
_built: dict[str, Any] = {}
_configs: list[Any] = []


def _once(name: str, make: Callable[[], Any]) -> Any:
    if name not in _built:
        with _lock:
            if name not in _built:
                _built[name] = make()
    return _built[name]


def use(name: str, replacement: Any) -> None:
    """Install a replacement for `name` (tokens, store, subscriptions, blog_urls, delivery, paced_delivery, fanout,
    posts, welcome_once, post_email_once), or None to build the real one on next use."""
    with _lock:
        if replacement is None:
            _built.pop(name, None)
        else:
            _built[name] = replacement


def tokens(settings: Settings) -> Tokens:
    return _once("tokens", lambda: Tokens(clients.secret_key(settings.token_key_secret or "")))


def store(settings: Settings) -> SubscriberStore:
    return _once("store", lambda: SubscriberStore(settings.table_name, settings.status_index, clients.client))


def subscriptions(settings: Settings) -> SubscriptionService:
    return _once("subscriptions", lambda: SubscriptionService(store(settings), lambda: tokens(settings)))


def blog_urls(settings: Settings) -> BlogUrls:
    def make() -> BlogUrls:
        return BlogUrls(settings.site_url_parameter or "", settings.blog_api_url_parameter or "", clients.client)

    return _once("blog_urls", make)


def delivery(settings: Settings, *, paced: bool = False) -> Delivery:
    def make() -> Delivery:
        def brand() -> Brand:  # the site URL as the blog's SSM parameter says now (cached there)
            return Brand(settings.site_name, blog_urls(settings).site_url(), settings.sender or "")

        pacer = Pacer(settings.send_concurrency / settings.max_send_rate) if paced else None
        return Delivery(SesMailer(clients.client), store(settings), lambda: tokens(settings), brand, pacer)

    return _once("paced_delivery" if paced else "delivery", make)


def fanout(settings: Settings) -> FanOut:
    def make() -> FanOut:
        checkpoints = CheckpointStore(settings.idempotency_table or "", clients.client)
        return FanOut(store(settings), checkpoints, JobQueue(settings.send_queue_url or "", clients.client))

    return _once("fanout", make)


def posts(settings: Settings) -> BlogPosts:
    return _once("posts", lambda: BlogPosts(blog_urls(settings).api_url))


def batch_reads(settings: Settings, subscriber_ids: list[str]) -> BatchReads:
    """The reads one batch of send jobs shares (the posts, and its subscribers in one request)."""
    return BatchReads(subscriber_ids, store(settings), lambda slug: posts(settings).get(slug))


def idempotent(function: Callable[..., dict], argument: str, key: str, ttl: int, table: str) -> Callable[..., dict]:
    """`function(<argument>=...)` run at most once per `key` (a JMESPath into that argument)."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    config = IdempotencyConfig(event_key_jmespath=key, raise_on_no_idempotency_key=True, expires_after_seconds=ttl)
    _configs.append(config)
    layer = DynamoDBPersistenceLayer(table_name=table, boto3_client=clients.client("dynamodb"))
    return idempotent_function(data_keyword_argument=argument, persistence_store=layer, config=config)(function)


def welcome_once(settings: Settings) -> Callable[..., dict]:
    """`send(subscriber={id, email, name})`: one welcome per subscriber id."""

    def make() -> Callable[..., dict]:
        def send(subscriber: dict) -> dict:
            return delivery(settings).welcome(subscriber)

        return idempotent(send, "subscriber", "id", WELCOME_TTL_SECONDS, settings.idempotency_table or "")

    return _once("welcome_once", make)


def post_email_once(settings: Settings) -> Callable[..., dict]:
    """`send(job={slug, id}, reads=BatchReads)`: one email per post and subscriber."""

    def make() -> Callable[..., dict]:
        def send(job: dict, reads: BatchReads) -> dict:
            return delivery(settings, paced=True).new_post(job, reads.post, reads.subscriber)

        return idempotent(send, "job", "[slug, id]", POST_EMAIL_TTL_SECONDS, settings.idempotency_table or "")

    return _once("post_email_once", make)


def register(context: Any) -> None:
    """Give the idempotency configs the invocation's context (in-progress records expire with it)."""
    for config in _configs:
        config.register_lambda_context(context)
