"""What a request pipeline needs from the gateway, handed to it instead of the gateway itself (a leaf
module: the pipelines import this, never `gateway.py`, so imports run from the gateway to its parts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from localcloud.gateway.auth import CognitoVerifier, LambdaAuthorizers
from localcloud.gateway.cache import StageCache
from localcloud.gateway.iam_auth import IamAuth
from localcloud.gateway.integrations import AwsServices
from localcloud.gateway.throttle import TokenBuckets
from localcloud.gateway.validation import Validators
from localcloud.model import Deployment, InvokeResult


@dataclass(frozen=True)
class PipelineDeps:
    deployment: Deployment
    call_function: Callable[[str, dict], InvokeResult]
    buckets: TokenBuckets
    verifier: CognitoVerifier
    lambda_authorizers: LambdaAuthorizers
    iam: IamAuth
    cache: StageCache  # REST only
    validators: Validators  # REST only
    services: AwsServices  # REST only
