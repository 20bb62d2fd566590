"""Which S3 permissions an HTTP request needs: action names, resource ARNs and the S3 condition keys,
for path-style and virtual-host-style addressing, as the S3 authorisation documentation lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.etree import ElementTree

_BUCKET_GET = {
    "versions": "s3:ListBucketVersions",
    "uploads": "s3:ListBucketMultipartUploads",
    "location": "s3:GetBucketLocation",
    "policy": "s3:GetBucketPolicy",
    "policyStatus": "s3:GetBucketPolicyStatus",
    "acl": "s3:GetBucketAcl",
    "cors": "s3:GetBucketCORS",
    "lifecycle": "s3:GetLifecycleConfiguration",
    "tagging": "s3:GetBucketTagging",
    "versioning": "s3:GetBucketVersioning",
    "notification": "s3:GetBucketNotification",
    "encryption": "s3:GetEncryptionConfiguration",
    "website": "s3:GetBucketWebsite",
    "logging": "s3:GetBucketLogging",
    "publicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "ownershipControls": "s3:GetBucketOwnershipControls",
    "object-lock": "s3:GetBucketObjectLockConfiguration",
    "replication": "s3:GetReplicationConfiguration",
    "accelerate": "s3:GetAccelerateConfiguration",
    "requestPayment": "s3:GetBucketRequestPayment",
    "analytics": "s3:GetAnalyticsConfiguration",
    "inventory": "s3:GetInventoryConfiguration",
    "metrics": "s3:GetMetricsConfiguration",
    "intelligent-tiering": "s3:GetIntelligentTieringConfiguration",
}
_BUCKET_PUT = {
    "policy": "s3:PutBucketPolicy",
    "acl": "s3:PutBucketAcl",
    "cors": "s3:PutBucketCORS",
    "lifecycle": "s3:PutLifecycleConfiguration",
    "tagging": "s3:PutBucketTagging",
    "versioning": "s3:PutBucketVersioning",
    "notification": "s3:PutBucketNotification",
    "encryption": "s3:PutEncryptionConfiguration",
    "website": "s3:PutBucketWebsite",
    "logging": "s3:PutBucketLogging",
    "publicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "ownershipControls": "s3:PutBucketOwnershipControls",
    "object-lock": "s3:PutBucketObjectLockConfiguration",
    "replication": "s3:PutReplicationConfiguration",
    "accelerate": "s3:PutAccelerateConfiguration",
    "requestPayment": "s3:PutBucketRequestPayment",
    "analytics": "s3:PutAnalyticsConfiguration",
    "inventory": "s3:PutInventoryConfiguration",
    "metrics": "s3:PutMetricsConfiguration",
    "intelligent-tiering": "s3:PutIntelligentTieringConfiguration",
}
_BUCKET_DELETE = {
    "policy": "s3:DeleteBucketPolicy",
    "website": "s3:DeleteBucketWebsite",
    "ownershipControls": "s3:PutBucketOwnershipControls",
    "publicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "cors": "s3:PutBucketCORS",
    "lifecycle": "s3:PutLifecycleConfiguration",
    "tagging": "s3:PutBucketTagging",
    "encryption": "s3:PutEncryptionConfiguration",
    "replication": "s3:PutReplicationConfiguration",
    "analytics": "s3:PutAnalyticsConfiguration",
    "inventory": "s3:PutInventoryConfiguration",
    "metrics": "s3:PutMetricsConfiguration",
    "intelligent-tiering": "s3:PutIntelligentTieringConfiguration",
}
_OBJECT_GET = {
    "acl": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "tagging": ("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    "retention": ("s3:GetObjectRetention", "s3:GetObjectRetention"),
    "legal-hold": ("s3:GetObjectLegalHold", "s3:GetObjectLegalHold"),
    "torrent": ("s3:GetObjectTorrent", "s3:GetObjectVersionTorrent"),
    "attributes": ("s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
    "uploadId": ("s3:ListMultipartUploadParts", "s3:ListMultipartUploadParts"),
}
_OBJECT_PUT = {
    "acl": ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    "tagging": ("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "retention": ("s3:PutObjectRetention", "s3:PutObjectRetention"),
    "legal-hold": ("s3:PutObjectLegalHold", "s3:PutObjectLegalHold"),
}


@dataclass
class Check:
    action: str
    resource: str
    context: dict[str, object] = field(default_factory=dict)


@dataclass
class S3Access:
    """What one S3 request touches and the permission checks it needs."""

    operation: str
    bucket: str | None
    key: str | None
    checks: list[Check]
    delete_objects: list[tuple[str, str | None]] | None = None  # DeleteObjects: (key, version id) per object


def bucket_and_key(host: str, raw_path: str) -> tuple[str | None, str | None]:
    """Bucket and key from the Host header (virtual-host style) or the path (path style), decoded."""
    virtual = virtual_host_bucket(host or "")
    path = raw_path[1:] if raw_path.startswith("/") else raw_path
    if virtual:
        return virtual, unquote(path) or None
    if not path:
        return None, None
    bucket, _, key = path.partition("/")
    return unquote(bucket), (unquote(key) or None)


def virtual_host_bucket(host: str) -> str | None:
    """The bucket a Host header (port included) names in virtual-host style, None for path style.

    moto's own reading, not a copy of it: the bucket checked here must be the bucket moto then acts on
    (a look-alike once read `a.s3.b.s3.amazonaws.com` and `www.a.example` differently from moto)."""
    if not host:
        return None
    from moto.s3.responses import S3Response  # moto's S3 module is slow to import: only when asked
    from moto.s3.utils import bucket_name_from_url

    if not S3Response.subdomain_based_buckets(_HostOnly(host)):
        return None
    return bucket_name_from_url(f"http://{host}/")


@dataclass
class _HostOnly:
    """The two request attributes moto's addressing-style test reads."""

    host: str

    @property
    def headers(self) -> dict[str, str]:
        return {"host": self.host}

    @property
    def url(self) -> str:
        return f"http://{self.host}/"


def s3_access(
    method: str, host: str, raw_path: str, query: dict[str, str], headers: dict[str, str], body: bytes | None
) -> S3Access:
    """The checks for one request; `headers` are lowercased names, `body` is needed only for DeleteObjects."""
    bucket, key = bucket_and_key(host, raw_path)
    method = method.upper()
    if bucket is None:
        return S3Access("ListBuckets", None, None, [Check("s3:ListAllMyBuckets", "*")])
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if key is None:
        return _bucket_access(method, bucket, bucket_arn, query, body)
    return _object_access(method, bucket, key, f"{bucket_arn}/{key}", query, headers)


def _bucket_access(method: str, bucket: str, arn: str, query: dict[str, str], body: bytes | None) -> S3Access:
    if method in ("GET", "HEAD"):
        for sub, action in _BUCKET_GET.items():
            if sub in query:
                context = _list_context(query) if sub in ("versions", "uploads") else {}
                return S3Access(action.split(":")[1], bucket, None, [Check(action, arn, context)])
        operation = "HeadBucket" if method == "HEAD" else "ListObjects"
        return S3Access(operation, bucket, None, [Check("s3:ListBucket", arn, _list_context(query))])
    if method == "PUT":
        for sub, action in _BUCKET_PUT.items():
            if sub in query:
                return S3Access(action.split(":")[1], bucket, None, [Check(action, arn)])
        return S3Access("CreateBucket", bucket, None, [Check("s3:CreateBucket", arn)])
    if method == "DELETE":
        for sub, action in _BUCKET_DELETE.items():
            if sub in query:
                return S3Access(action.split(":")[1], bucket, None, [Check(action, arn)])
        return S3Access("DeleteBucket", bucket, None, [Check("s3:DeleteBucket", arn)])
    if method == "POST" and "delete" in query:
        objects = parse_delete_objects(body or b"")
        checks = [
            Check("s3:DeleteObjectVersion" if version else "s3:DeleteObject", f"{arn}/{key}", _version(version))
            for key, version in objects
        ]
        return S3Access("DeleteObjects", bucket, None, checks, delete_objects=objects)
    if method == "POST":
        return S3Access("PostObject", bucket, None, [Check("s3:PutObject", f"{arn}/*")])
    return S3Access(method, bucket, None, [Check("s3:ListBucket", arn)])


def _object_access(
    method: str, bucket: str, key: str, arn: str, query: dict[str, str], headers: dict[str, str]
) -> S3Access:
    version = query.get("versionId") or None
    context = _version(version)
    if method in ("GET", "HEAD"):
        for sub, (plain, versioned) in _OBJECT_GET.items():
            if sub in query:
                checks = [Check(versioned if version else plain, arn, context)]
                if sub == "attributes":
                    checks.append(Check("s3:GetObjectVersion" if version else "s3:GetObject", arn, context))
                return S3Access(plain.split(":")[1], bucket, key, checks)
        action = "s3:GetObjectVersion" if version else "s3:GetObject"
        return S3Access("HeadObject" if method == "HEAD" else "GetObject", bucket, key, [Check(action, arn, context)])
    if method == "PUT":
        for sub, (plain, versioned) in _OBJECT_PUT.items():
            if sub in query:
                return S3Access(
                    plain.split(":")[1], bucket, key, [Check(versioned if version else plain, arn, context)]
                )
        put_context: dict[str, object] = {}
        for header in ("x-amz-acl", "x-amz-server-side-encryption", "x-amz-storage-class", "x-amz-copy-source"):
            if header in headers:
                put_context[f"s3:{header}"] = headers[header]
        checks = [Check("s3:PutObject", arn, put_context)]
        if "x-amz-tagging" in headers:
            checks.append(Check("s3:PutObjectTagging", arn))
        operation = "UploadPart" if "uploadId" in query else "PutObject"
        source = headers.get("x-amz-copy-source")
        if source:
            checks.append(_copy_source_check(source))
            operation = "UploadPartCopy" if "uploadId" in query else "CopyObject"
        return S3Access(operation, bucket, key, checks)
    if method == "DELETE":
        if "uploadId" in query:
            return S3Access("AbortMultipartUpload", bucket, key, [Check("s3:AbortMultipartUpload", arn)])
        if "tagging" in query:
            action = "s3:DeleteObjectVersionTagging" if version else "s3:DeleteObjectTagging"
            return S3Access("DeleteObjectTagging", bucket, key, [Check(action, arn, context)])
        action = "s3:DeleteObjectVersion" if version else "s3:DeleteObject"
        return S3Access("DeleteObject", bucket, key, [Check(action, arn, context)])
    if method == "POST":
        if "uploads" in query:
            return S3Access("CreateMultipartUpload", bucket, key, [Check("s3:PutObject", arn)])
        if "uploadId" in query:
            return S3Access("CompleteMultipartUpload", bucket, key, [Check("s3:PutObject", arn)])
        if "restore" in query:
            return S3Access("RestoreObject", bucket, key, [Check("s3:RestoreObject", arn)])
        if "select" in query:
            return S3Access("SelectObjectContent", bucket, key, [Check("s3:GetObject", arn)])
    return S3Access(method, bucket, key, [Check(f"s3:{method.title()}Object", arn)])


def _copy_source_check(source: str) -> Check:
    path, _, source_query = unquote(source).lstrip("/").partition("?versionId=")
    version = source_query or None
    return Check("s3:GetObjectVersion" if version else "s3:GetObject", f"arn:aws:s3:::{path}", _version(version))


def _version(version: str | None) -> dict[str, object]:
    return {"s3:versionid": version} if version else {}


def _list_context(query: dict[str, str]) -> dict[str, object]:
    """s3:prefix, s3:delimiter and s3:max-keys as S3 puts them in the request context (absent when not sent)."""
    context: dict[str, object] = {}
    for param, key in (("prefix", "s3:prefix"), ("delimiter", "s3:delimiter"), ("max-keys", "s3:max-keys")):
        if param in query:
            context[key] = query[param]
    return context


def parse_delete_objects(body: bytes) -> list[tuple[str, str | None]]:
    """The (key, version id) pairs of a DeleteObjects request body."""
    if not body:
        return []
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - the body comes from the local client being authorised
    except ElementTree.ParseError:
        return []
    out: list[tuple[str, str | None]] = []
    for element in root.iter():
        if _local(element.tag) != "Object":
            continue
        key = version = None
        for child in element:
            if _local(child.tag) == "Key":
                key = child.text or ""
            elif _local(child.tag) == "VersionId":
                version = child.text or None
        if key is not None:
            out.append((key, version))
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
