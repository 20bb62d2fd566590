"""S3 requests from callers with no IAM policies of their own: anonymous viewers, and AWS service
principals acting for a resource (CloudFront signing with origin access control).

On S3 only the bucket policy can grant such a caller anything. An anonymous request is allowed when a
statement naming `*` allows it and the bucket's public access block does not restrict public grants
(RestrictPublicBuckets); a service principal is allowed when a statement names it and its conditions
hold, e.g. `AWS:SourceArn` equal to the distribution's ARN. Bucket ACLs are not consulted: the buckets
in our templates are BucketOwnerEnforced, where S3 ignores ACLs too.

The local CloudFront marks its requests in the WSGI environ (`localcloud.edge`), where no HTTP client
can set a value; an unsigned request that names an existing bucket is an anonymous one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from localcloud.front.policy import Decision, Principal, Request, evaluate
from localcloud.front.s3_actions import S3Access, bucket_and_key

EDGE_ENVIRON_KEY = "localcloud.edge"
_NOT_S3_PREFIXES = ("/moto-api", "/latest/", "/favicon.ico")
_ANONYMOUS_METHODS = ("GET", "HEAD", "PUT", "DELETE")  # POST forms carry a signed policy: issue of their own


@dataclass(frozen=True)
class ResourceCaller:
    service: str = ""  # "" for an anonymous caller
    source_arn: str = ""
    source_account: str = ""

    @property
    def anonymous(self) -> bool:
        return not self.service

    def principal(self) -> Principal:
        return Principal(arn="" if self.anonymous else f"{self.service}", service=self.service)

    def context(self) -> dict[str, Any]:
        context: dict[str, Any] = {}
        if self.source_arn:
            context["aws:sourcearn"] = self.source_arn
        if self.source_account:
            context["aws:sourceaccount"] = self.source_account
        if self.service:
            context["aws:principalservicename"] = self.service
            context["aws:securetransport"] = "true"  # CloudFront reaches S3 over TLS
        return context

    def describe(self) -> str:
        return "an anonymous caller" if self.anonymous else f"{self.service} for {self.source_arn or 'no source'}"


def edge_caller(marker: dict[str, Any], account_id: str) -> ResourceCaller:
    if marker.get("service"):
        return ResourceCaller(str(marker["service"]), str(marker.get("source_arn") or ""), account_id)
    return ResourceCaller()


def anonymous_s3(environ: dict[str, Any], bucket_exists: Callable[[str], bool]) -> bool:
    """Whether an unsigned request is an S3 request to an existing bucket (everything else goes on)."""
    if environ.get("REQUEST_METHOD", "GET").upper() not in _ANONYMOUS_METHODS:
        return False
    path = environ.get("PATH_INFO", "")
    if path.startswith(_NOT_S3_PREFIXES) or "/.well-known/" in path or "Action=" in environ.get("QUERY_STRING", ""):
        return False
    bucket, _ = bucket_and_key(environ.get("HTTP_HOST", ""), path)
    return bool(bucket) and bucket_exists(bucket)


def decide(
    access: S3Access,
    caller: ResourceCaller,
    bucket_policy: dict | None,
    context: dict[str, Any],
    *,
    restrict_public: bool,
) -> Decision:
    """The first check the bucket policy does not allow decides; all allowed, the request goes on."""
    if caller.anonymous and restrict_public:
        return Decision(False, "the bucket's public access block restricts public access (RestrictPublicBuckets)")
    policies = [(f"the bucket policy of {access.bucket}", bucket_policy)] if bucket_policy else []
    decision = Decision(True, "allowed")
    for check in access.checks:
        decision = evaluate(
            Request(check.action, check.resource, {**context, **caller.context(), **check.context}),
            [],
            policies,
            principal=caller.principal(),
        )
        if not decision.allowed:
            if decision.reason.startswith("no identity-based policy"):
                decision = Decision(
                    False, f"no statement in the bucket policy allows {caller.describe()} {check.action}"
                )
            return decision
    return decision
