"""The data stores a deployment owns, by kind and physical name: what the data browser may show.

The browser only opens stores the templates declared, so a typo is a clear 404 rather than an empty
page, and the console never becomes a general proxy to moto.
"""

from __future__ import annotations

from dataclasses import dataclass

from localcloud.model import TABLE_TYPES, Deployment, Resource

KINDS: dict[str, tuple[tuple[str, ...], str]] = {  # kind -> (CloudFormation types, heading)
    "tables": (TABLE_TYPES, "Tables"),
    "buckets": (("AWS::S3::Bucket",), "Buckets"),
    "queues": (("AWS::SQS::Queue",), "Queues"),
    "topics": (("AWS::SNS::Topic",), "Topics"),
    "users": (("AWS::Cognito::UserPool",), "User pools"),
}


@dataclass(frozen=True)
class Store:
    kind: str  # a key of KINDS
    name: str  # table, bucket, queue or topic name; user pool id
    address: str  # Stack/LogicalId
    ref: str  # what Ref gives: the queue URL, the topic ARN...


def name_of(kind: str, resource: Resource) -> str:
    if kind == "queues":
        return str(resource.attrs.get("QueueName") or resource.ref.rstrip("/").rsplit("/", 1)[-1])
    if kind == "topics":
        return str(resource.attrs.get("TopicName") or resource.ref.rsplit(":", 1)[-1])
    return resource.ref


def stores(deployment: Deployment, kind: str) -> list[Store]:
    found = [Store(kind, name_of(kind, r), r.address, r.ref) for r in deployment.of_type(*KINDS[kind][0]) if r.ref]
    return sorted(found, key=lambda s: s.address)


def find(deployment: Deployment, kind: str, name: str) -> Store | None:
    if kind not in KINDS:
        return None
    return next((s for s in stores(deployment, kind) if s.name == name), None)
