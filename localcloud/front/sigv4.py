"""Who signed a request: the access key id (SigV4 header, presigned query, or S3's SigV2 header and
presigned query), and whether the signature really was made with the secret localcloud issued for that key.

moto accepts any signature, so without this check a client could present someone else's access key id
with a made-up signature. The canonical request is rebuilt as botocore builds it; a few equivalent
spellings of the path and query are tried because S3 signs the raw path and other services a
normalised, re-encoded one.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


@dataclass(frozen=True)
class Credential:
    """The caller's key and credential scope, as found on the request."""

    access_key: str
    date: str = ""
    region: str = ""
    service: str = ""
    signed_headers: tuple[str, ...] = ()
    signature: str = ""
    presigned: bool = False
    version: int = 4


def parse_credential(environ: dict, query: dict[str, str] | None = None) -> Credential | None:
    """The credential a request is signed with, or None for an unsigned request."""
    auth = environ.get("HTTP_AUTHORIZATION")
    if auth:
        if auth.startswith(ALGORITHM):
            return _parse_header(auth[len(ALGORITHM) :])
        if auth.startswith("AWS "):
            key, _, signature = auth[4:].partition(":")
            return Credential(access_key=key.strip(), signature=signature.strip(), version=2)
        return None
    raw = environ.get("QUERY_STRING", "")
    if "X-Amz-Credential" in raw or "AWSAccessKeyId" in raw:
        query = query if query is not None else parse_query(raw)
        if "X-Amz-Credential" in query:
            parts = query["X-Amz-Credential"].split("/")
            if len(parts) != 5:
                return None
            return Credential(
                access_key=parts[0],
                date=parts[1],
                region=parts[2],
                service=parts[3],
                signed_headers=tuple(query.get("X-Amz-SignedHeaders", "host").split(";")),
                signature=query.get("X-Amz-Signature", ""),
                presigned=True,
            )
        if "AWSAccessKeyId" in query:
            return Credential(
                access_key=query["AWSAccessKeyId"], signature=query.get("Signature", ""), presigned=True, version=2
            )
    return None


def _parse_header(rest: str) -> Credential | None:
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    scope = fields.get("Credential", "").split("/")
    if len(scope) != 5:
        return None
    return Credential(
        access_key=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=tuple(fields.get("SignedHeaders", "").split(";")),
        signature=fields.get("Signature", ""),
    )


def parse_query(raw: str) -> dict[str, str]:
    """First value of each query parameter, percent-decoded (`+` kept literal, as SigV4 does)."""
    out: dict[str, str] = {}
    for pair in raw.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            out.setdefault(unquote(key), unquote(value))
    return out


def raw_target(environ: dict) -> tuple[str, str]:
    """The request path and query exactly as the client sent them (still percent-encoded)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        raw = raw.encode("latin-1").decode("utf-8", "replace") if isinstance(raw, str) else raw
        if "://" in raw.split("?", 1)[0]:
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        path, _, query = raw.partition("?")
        return path or "/", query
    path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
    return quote(path, safe="/~!$&'()*+,;=:@"), environ.get("QUERY_STRING", "")


def header_value(environ: dict, name: str) -> str | None:
    if name == "content-type":
        return environ.get("CONTENT_TYPE")
    if name == "content-length":
        return environ.get("CONTENT_LENGTH")
    return environ.get("HTTP_" + name.upper().replace("-", "_"))


def request_time(environ: dict, query: dict[str, str], credential: Credential) -> str:
    if credential.presigned:
        return query.get("X-Amz-Date", "")
    return environ.get("HTTP_X_AMZ_DATE") or ""


def presigned_expired(query: dict[str, str], now: float) -> bool:
    """Whether a presigned URL (SigV4: X-Amz-Date + X-Amz-Expires; SigV2: Expires) lies in the past."""
    try:
        if "X-Amz-Date" not in query:
            return int(query["Expires"]) < now
        signed_at = calendar.timegm(time.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
        return signed_at + int(query.get("X-Amz-Expires", "604800")) < now
    except (KeyError, ValueError):
        return True


def verify(environ: dict, credential: Credential, secret: str, body: bytes | None, bucket: str | None = None) -> bool:
    """Whether the request's signature was made with `secret`. `bucket` is the virtual-host bucket of an
    S3 request, which SigV2 signs as part of the path."""
    if not credential.signature:
        return False
    if credential.version == 2:
        return _verify_v2(environ, credential, secret, bucket)
    raw_path, raw_query = raw_target(environ)
    query_pairs = [pair.partition("=") for pair in raw_query.split("&") if pair]
    pairs = [(k, v) for k, _, v in query_pairs if not (credential.presigned and k == "X-Amz-Signature")]
    query = parse_query(raw_query)
    amz_date = request_time(environ, query, credential)
    if not amz_date.startswith(credential.date):
        return False
    headers = []
    for name in credential.signed_headers:
        value = header_value(environ, name)
        if value is None:
            return False
        headers.append(f"{name}:{' '.join(value.split())}")
    canonical_headers = "\n".join(headers) + "\n"
    signed = ";".join(credential.signed_headers)
    key = _signing_key(secret, credential)
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    for payload in _payload_hashes(environ, credential, body):
        for path in _path_variants(raw_path, credential.service):
            for canonical_query in _query_variants(pairs):
                canonical = "\n".join(
                    [environ["REQUEST_METHOD"].upper(), path, canonical_query, canonical_headers, signed, payload]
                )
                digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
                to_sign = f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"
                expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
                if hmac.compare_digest(expected, credential.signature):
                    return True
    return False


def _signing_key(secret: str, credential: Credential) -> bytes:
    key = ("AWS4" + secret).encode("utf-8")
    for part in (credential.date, credential.region, credential.service, "aws4_request"):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def _payload_hashes(environ: dict, credential: Credential, body: bytes | None) -> list[str]:
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256")
    if declared:
        return [declared]
    if credential.presigned:
        return [UNSIGNED_PAYLOAD, hashlib.sha256(body or b"").hexdigest()]
    return [hashlib.sha256(body or b"").hexdigest()]


def _path_variants(raw_path: str, service: str) -> list[str]:
    normalized = quote(_remove_dot_segments(raw_path), safe="/~")
    if service == "s3":
        return list(dict.fromkeys([raw_path, quote(unquote(raw_path), safe="/~"), normalized]))
    return list(dict.fromkeys([normalized, raw_path]))


def _query_variants(pairs: list[tuple[str, str]]) -> list[str]:
    as_sent = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    encoded = sorted((quote(unquote(k), safe="-_.~"), quote(unquote(v), safe="-_.~")) for k, v in pairs)
    canonical = "&".join(f"{k}={v}" for k, v in encoded)
    return list(dict.fromkeys([canonical, as_sent]))


def _remove_dot_segments(path: str) -> str:
    if not path:
        return "/"
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if out:
                out.pop()
        elif segment and segment != ".":
            out.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and out else ""
    return first + "/".join(out) + last


_V2_SUBRESOURCES = frozenset(
    [
        "accelerate",
        "acl",
        "cors",
        "defaultObjectAcl",
        "location",
        "logging",
        "partNumber",
        "policy",
        "requestPayment",
        "torrent",
        "versioning",
        "versionId",
        "versions",
        "website",
        "uploads",
        "uploadId",
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "delete",
        "lifecycle",
        "tagging",
        "restore",
        "storageClass",
        "notification",
        "replication",
        "analytics",
        "metrics",
        "inventory",
        "select",
        "select-type",
        "object-lock",
    ]
)


def _verify_v2(environ: dict, credential: Credential, secret: str, bucket: str | None) -> bool:
    """S3's SigV2 (HMAC-SHA1), header or presigned-query form, as botocore's HmacV1Auth signs it."""
    raw_path, raw_query = raw_target(environ)
    pairs = [pair.split("=", 1) for pair in raw_query.split("&") if pair]
    if credential.presigned:
        query = {k: unquote(v[0]) if v else "" for k, *v in pairs}
        standard = [query.get("content-md5", ""), query.get("content-type", ""), query.get("Expires", "")]
        amz = {k.lower(): v for k, v in query.items() if k.lower().startswith("x-amz-")}
    else:
        standard = [environ.get("HTTP_CONTENT_MD5", ""), environ.get("CONTENT_TYPE", ""), environ.get("HTTP_DATE", "")]
        amz = {
            key[5:].lower().replace("_", "-"): value.strip()
            for key, value in environ.items()
            if key.startswith("HTTP_X_AMZ_")
        }
    resource = (f"/{bucket}" + raw_path) if bucket else raw_path
    interesting = sorted((p[0], unquote(p[1])) if len(p) == 2 else (p[0],) for p in pairs if p[0] in _V2_SUBRESOURCES)
    if interesting:
        resource += "?" + "&".join("=".join(p) for p in interesting)
    lines = [environ["REQUEST_METHOD"].upper(), *(v.strip() for v in standard)]
    lines += [f"{k}:{amz[k]}" for k in sorted(amz)]
    to_sign = "\n".join([*lines, resource])
    digest = hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha1).digest()
    return hmac.compare_digest(base64.b64encode(digest).decode(), credential.signature)
