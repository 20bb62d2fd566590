"""SNS topics for the data browser: attributes and every subscription with its filter policy.

Subscriptions to localcloud's hidden `localcloud-…` queues are how SNS → Lambda is wired locally
(see `sources/fanin`); they are listed and marked, since they are what delivers to the functions.
"""

from __future__ import annotations

import json
from typing import Any

from localcloud.sources.fanin import HIDDEN_PREFIX


def describe(sns: Any, arn: str) -> dict:
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    subscriptions = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
        for sub in page.get("Subscriptions") or []:
            subscriptions.append(_subscription(sns, sub))
    return {
        "name": arn.rsplit(":", 1)[-1],
        "arn": arn,
        "display_name": attributes.get("DisplayName") or "",
        "fifo": attributes.get("FifoTopic") == "true",
        "subscriptions": subscriptions,
    }


def count(sns: Any, arn: str) -> int:
    return len(sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions") or [])


def _subscription(sns: Any, sub: dict) -> dict:
    arn = sub.get("SubscriptionArn") or ""
    try:
        attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    except Exception:  # pending confirmation: no attributes yet
        attributes = {}
    policy = attributes.get("FilterPolicy")
    endpoint = sub.get("Endpoint") or ""
    return {
        "arn": arn,
        "protocol": sub.get("Protocol"),
        "endpoint": endpoint,
        "hidden": endpoint.rsplit(":", 1)[-1].startswith(HIDDEN_PREFIX),
        "raw_delivery": attributes.get("RawMessageDelivery") == "true",
        "filter_policy": json.loads(policy) if policy else None,
        "filter_scope": attributes.get("FilterPolicyScope") or ("MessageAttributes" if policy else None),
    }
