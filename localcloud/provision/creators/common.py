"""Helpers every creator uses: ARNs, JSON and policy documents, tags."""

from __future__ import annotations

import json
from typing import Any

from localcloud.provision.context import StackContext


def arn(ctx: StackContext, service: str, rest: str, *, region: bool = True, account: bool = True) -> str:
    return f"arn:aws:{service}:{ctx.region if region else ''}:{ctx.account_id if account else ''}:{rest}"


def to_json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def policy_json(document: Any) -> str:
    """A policy document as IAM stores it; CloudFormation allows omitting Version, moto does not."""
    if isinstance(document, dict) and "Version" not in document:
        document = {"Version": "2012-10-17", **document}
    return to_json(document)


def tag_list(props: dict) -> list[dict]:
    tags = props.get("Tags") or []
    if isinstance(tags, dict):
        return [{"Key": k, "Value": str(v)} for k, v in tags.items()]
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in tags]
