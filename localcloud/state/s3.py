"""Objects of the template's buckets: every version (and delete marker), with metadata and tags.

Bodies go to the snapshot's blob folder under their SHA-256, once: a body already saved is not hashed
or written again while the object is unchanged. Restored objects raise no S3 notification, so a
thumbnailer does not run again for photos it already handled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from localcloud.state.codec import decode, encode
from localcloud.state.scope import Restored, Scope, moto_backend

NAME = "s3"
_KEY_FIELDS = (
    "encryption",
    "kms_key_id",
    "bucket_key_enabled",
    "website_redirect_location",
    "checksum_algorithm",
    "checksum_value",
    "lock_mode",
    "lock_legal_status",
    "lock_until",
)


def save(scope: Scope) -> Iterator[dict]:
    from moto.s3.models import FakeDeleteMarker

    s3 = moto_backend(scope, "s3")
    for name in sorted(scope.refs("AWS::S3::Bucket")):
        bucket = s3.buckets.get(name)
        if bucket is None:
            continue
        objects = []
        for key_name, versions in list(bucket.keys.lists()):
            for version in list(versions):
                if isinstance(version, FakeDeleteMarker):
                    objects.append(
                        {"key": key_name, "version": version.version_id, "deleteMarker": True,
                         "lastModified": encode(version.last_modified)}
                    )  # fmt: skip
                else:
                    objects.append(_object(scope, s3, key_name, version))
        yield {"bucket": name, "objects": objects}


def _object(scope: Scope, s3: Any, key_name: str, key: Any) -> dict:
    identity = (key.bucket_name, key_name, key.version_id, key.etag, key.size, key.last_modified)
    digest = scope.blob_digests.get(identity)
    if digest is None:
        digest = scope.file.put_blob(key.value)
        scope.blob_digests[identity] = digest
    scope.blobs_named.add(digest)
    return {
        "key": key_name,
        "version": key.version_id,
        "body": digest,
        "etag": key.etag.strip('"'),
        "storage": key.storage_class,
        "metadata": dict(key.metadata),
        "lastModified": encode(key.last_modified),
        "tags": s3.tagger.get_tag_dict_for_resource(key.arn),
        "fields": {f: encode(getattr(key, f, None)) for f in _KEY_FIELDS},
    }


def restore(scope: Scope, records: list[dict]) -> Restored:
    from moto.s3.models import FakeDeleteMarker

    done = Restored()
    s3 = moto_backend(scope, "s3")
    for record in records:
        bucket = s3.buckets.get(record["bucket"])
        if bucket is None:
            done.skipped.append(f"bucket {record['bucket']} is no longer in the template")
            continue
        for saved in record["objects"]:
            if saved.get("deleteMarker"):
                marker = FakeDeleteMarker(key=bucket.keys.get(saved["key"]) or _Named(saved["key"]))
                marker._version_id = saved["version"]
                marker.last_modified = decode(saved["lastModified"])
                bucket.keys.setlist(saved["key"], [*bucket.keys.getlist(saved["key"], []), marker])
                continue
            _put(scope, s3, bucket, saved)
            done.add("objects")
    return done


def _put(scope: Scope, s3: Any, bucket: Any, saved: dict) -> None:
    body = scope.file.blob(saved["body"])
    key = s3.put_object(bucket.name, saved["key"], body, storage=saved["storage"], disable_notification=True)
    for name, value in saved["fields"].items():
        setattr(key, name, decode(value))
    key._etag = saved["etag"]
    key._version_id = saved["version"]
    key.set_metadata(dict(saved["metadata"]), replace=True)
    key.last_modified = decode(saved["lastModified"])
    if saved["tags"]:
        s3.tagger.tag_resource(key.arn, s3.tagger.convert_dict_to_tags_input(saved["tags"]))
    scope.blob_digests[(bucket.name, saved["key"], key.version_id, key.etag, key.size, key.last_modified)] = saved[
        "body"
    ]


class _Named:
    """What a delete marker needs of the key it hides when no version of that key survives."""

    def __init__(self, name: str):
        self.name = name
