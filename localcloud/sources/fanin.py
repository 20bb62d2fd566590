"""S3 and SNS → Lambda through hidden SQS queues that moto fills by itself.

moto cannot invoke our functions, but it can notify a queue. So each (bucket, function) and each
lambda-protocol SNS subscription gets a hidden queue named `localcloud-…`: the bucket's notification
configuration is re-applied with queue entries for them (merged with the bucket's own queue and topic
entries), and the topic gets an SQS subscription with the same filter policy. An `AsyncPoller` then
invokes the function with the S3 or SNS event. Wiring is idempotent, so a reset can re-apply it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.model import Deployment, EventLog, FunctionSpec

from .config import arn_name, find_function
from .shapes import sns_event

HIDDEN_PREFIX = "localcloud-"


@dataclass
class Route:
    """One hidden queue feeding one function from one bucket or subscription."""

    address: str  # the bucket or subscription resource
    channel: str  # "s3" or "sns"
    source_name: str  # bucket or topic name, for the event log
    function: FunctionSpec
    queue_name: str
    queue_arn: str = ""
    make_event: Callable[[dict], dict | None] = lambda body: body


def hidden_queue_name(channel: str, owner: str, function: FunctionSpec) -> str:
    digest = hashlib.sha1(f"{owner}|{function.arn}".encode(), usedforsecurity=False).hexdigest()[:8]
    tail = re.sub(r"[^A-Za-z0-9_-]", "-", function.name)
    return f"{HIDDEN_PREFIX}{channel}-{digest}-{tail}"[:80]


def create_hidden_queue(sqs: Any, route: Route) -> None:
    """Create (or find) the route's queue, with a visibility timeout that outlasts one invocation."""
    timeout = max(30, route.function.timeout + 5)
    url = sqs.create_queue(QueueName=route.queue_name, Attributes={"VisibilityTimeout": str(timeout)})["QueueUrl"]
    route.queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def s3_event(body: dict) -> dict | None:
    """The queue message is already the S3 event; moto's `s3:TestEvent` is not delivered."""
    if body.get("Event") == "s3:TestEvent" or "Records" not in body:
        return None
    return body


class FanIn:
    def __init__(self, deployment: Deployment, aws: Callable[[str], Any], events: EventLog):
        self.deployment = deployment
        self.aws = aws
        self.events = events

    def wire(self) -> list[Route]:
        """Create hidden queues and notifications; each broken resource is logged and skipped."""
        routes: list[Route] = []
        sqs = self.aws("sqs")
        for bucket in self.deployment.of_type("AWS::S3::Bucket"):
            config = bucket.properties.get("NotificationConfiguration") or {}
            if not config.get("LambdaConfigurations"):
                continue
            try:
                routes.extend(self._wire_bucket(sqs, bucket.address, bucket.ref, config))
            except Exception as exc:
                self._error("s3", bucket.address, bucket.ref, exc)
        for owner, topic_arn, props in self._lambda_subscriptions():
            try:
                routes.append(self._wire_subscription(sqs, owner, topic_arn, props))
            except Exception as exc:
                self._error("sns", owner, arn_name(topic_arn), exc)
        return routes

    def _error(self, channel: str, address: str, name: str, exc: Exception) -> None:
        message = f"{address}: cannot wire {channel} → Lambda: {type(exc).__name__}: {exc}"
        self.events.record(channel, "error", name, {"error": message}, source=address)

    def _function(self, key: str) -> FunctionSpec:
        spec = find_function(self.deployment, key)
        if spec is None:
            raise LookupError(f"function {key!r} is not in the deployment")
        return spec

    def _hidden_queue(self, sqs: Any, route: Route) -> None:
        create_hidden_queue(sqs, route)

    # S3 ---------------------------------------------------------------------------------------------

    def _wire_bucket(self, sqs: Any, address: str, bucket: str, config: dict) -> list[Route]:
        routes: dict[str, Route] = {}
        queue_configs = [_s3_entry("QueueArn", c["Queue"], c) for c in config.get("QueueConfigurations") or []]
        for entry in config["LambdaConfigurations"]:
            spec = self._function(str(entry.get("Function") or ""))
            route = routes.get(spec.arn)
            if route is None:
                route = Route(address, "s3", bucket, spec, hidden_queue_name("s3", address, spec), make_event=s3_event)
                self._hidden_queue(sqs, route)
                routes[spec.arn] = route
            queue_configs.append(_s3_entry("QueueArn", route.queue_arn, entry))
        notification: dict[str, Any] = {"QueueConfigurations": queue_configs}
        topics = [_s3_entry("TopicArn", c["Topic"], c) for c in config.get("TopicConfigurations") or []]
        if topics:
            notification["TopicConfigurations"] = topics
        if str((config.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled", "")).lower() == "true":
            notification["EventBridgeConfiguration"] = {}
        self.aws("s3").put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notification)
        return list(routes.values())

    # SNS --------------------------------------------------------------------------------------------

    def _lambda_subscriptions(self) -> list[tuple[str, str, dict]]:
        found = []
        for sub in self.deployment.of_type("AWS::SNS::Subscription"):
            if str(sub.properties.get("Protocol", "")).lower() == "lambda":
                found.append((sub.address, str(sub.properties.get("TopicArn") or ""), sub.properties))
        for topic in self.deployment.of_type("AWS::SNS::Topic"):
            for index, inline in enumerate(topic.properties.get("Subscription") or []):
                if str(inline.get("Protocol", "")).lower() == "lambda":
                    found.append((f"{topic.address}.Subscription[{index}]", topic.ref, inline))
        return found

    def _wire_subscription(self, sqs: Any, owner: str, topic_arn: str, props: dict) -> Route:
        spec = self._function(str(props.get("Endpoint") or ""))
        route = Route(owner, "sns", arn_name(topic_arn), spec, hidden_queue_name("sns", owner, spec))
        self._hidden_queue(sqs, route)
        attributes: dict[str, str] = {}
        policy = props.get("FilterPolicy")
        if policy:
            attributes["FilterPolicyScope"] = str(props.get("FilterPolicyScope") or "MessageAttributes")
            attributes["FilterPolicy"] = policy if isinstance(policy, str) else json.dumps(policy)
        sns = self.aws("sns")
        subscription = sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=route.queue_arn,
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        for name, value in attributes.items():
            sns.set_subscription_attributes(SubscriptionArn=subscription, AttributeName=name, AttributeValue=value)
        region = self.deployment.region
        route.make_event = lambda body: sns_event(body, subscription, region)
        return route


def _s3_entry(key: str, arn: str, cfn: dict) -> dict:
    """A CloudFormation notification entry (`Event`, `Filter.S3Key.Rules`) in the S3 API's shape."""
    entry: dict[str, Any] = {key: arn, "Events": [cfn["Event"]]}
    rules = ((cfn.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
    if rules:
        entry["Filter"] = {
            "Key": {"FilterRules": [{"Name": str(r["Name"]).lower(), "Value": r["Value"]} for r in rules]}
        }
    return entry
