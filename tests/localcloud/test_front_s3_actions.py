"""HTTP request → S3 action, resource and condition keys."""

from __future__ import annotations

import pytest

from localcloud.front.s3_actions import bucket_and_key, parse_delete_objects, s3_access


def checks(method, path, query=None, headers=None, body=None, host="127.0.0.1:4566"):
    access = s3_access(method, host, path, query or {}, headers or {}, body)
    return [(c.action, c.resource, c.context) for c in access.checks]


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        (
            "127.0.0.1:4566",
            "/files/private/us-east-1%3Aabc/a%20b%2Bc.txt",
            ("files", "private/us-east-1:abc/a b+c.txt"),
        ),
        ("localhost:4566", "/files", ("files", None)),
        ("localhost", "/files/", ("files", None)),
        ("files.s3.us-east-1.amazonaws.com", "/k%C3%BC", ("files", "kü")),
        ("files.s3.amazonaws.com", "/", ("files", None)),
        ("my.dotted.bucket.s3.amazonaws.com", "/k", ("my.dotted.bucket", "k")),
        ("files.localhost:4566", "/dir/k", ("files", "dir/k")),
        ("127.0.0.1", "/", (None, None)),
    ],
)
def test_bucket_and_key_for_both_addressing_styles(host, path, expected):
    assert bucket_and_key(host, path) == expected


def test_object_reads_and_writes():
    arn = "arn:aws:s3:::b/d/k"
    assert checks("GET", "/b/d/k") == [("s3:GetObject", arn, {})]
    assert checks("HEAD", "/b/d/k") == [("s3:GetObject", arn, {})]
    assert checks("GET", "/b/d/k", {"versionId": "v1"}) == [("s3:GetObjectVersion", arn, {"s3:versionid": "v1"})]
    assert checks("PUT", "/b/d/k") == [("s3:PutObject", arn, {})]
    assert checks("DELETE", "/b/d/k") == [("s3:DeleteObject", arn, {})]
    assert checks("DELETE", "/b/d/k", {"versionId": "v1"}) == [("s3:DeleteObjectVersion", arn, {"s3:versionid": "v1"})]
    assert checks("GET", "/b/d/k", {"tagging": ""}) == [("s3:GetObjectTagging", arn, {})]
    assert checks("PUT", "/b/d/k", {"acl": ""}) == [("s3:PutObjectAcl", arn, {})]


def test_put_with_acl_and_tagging_headers():
    result = checks("PUT", "/b/k", headers={"x-amz-acl": "public-read", "x-amz-tagging": "a=b"})
    assert result == [
        ("s3:PutObject", "arn:aws:s3:::b/k", {"s3:x-amz-acl": "public-read"}),
        ("s3:PutObjectTagging", "arn:aws:s3:::b/k", {}),
    ]


def test_copy_needs_get_on_the_source():
    result = checks("PUT", "/dst/k", headers={"x-amz-copy-source": "/src/a%20b?versionId=v9"})
    assert result[1] == ("s3:GetObjectVersion", "arn:aws:s3:::src/a b", {"s3:versionid": "v9"})
    assert checks("PUT", "/dst/k", headers={"x-amz-copy-source": "src/x"})[1][:2] == (
        "s3:GetObject",
        "arn:aws:s3:::src/x",
    )


def test_multipart_steps_are_put_object():
    arn = "arn:aws:s3:::b/k"
    assert checks("POST", "/b/k", {"uploads": ""}) == [("s3:PutObject", arn, {})]
    assert checks("PUT", "/b/k", {"uploadId": "u", "partNumber": "1"}) == [("s3:PutObject", arn, {})]
    assert checks("POST", "/b/k", {"uploadId": "u"}) == [("s3:PutObject", arn, {})]
    assert checks("DELETE", "/b/k", {"uploadId": "u"}) == [("s3:AbortMultipartUpload", arn, {})]
    assert checks("GET", "/b/k", {"uploadId": "u"}) == [("s3:ListMultipartUploadParts", arn, {})]


def test_listing_carries_prefix_delimiter_and_max_keys():
    query = {"list-type": "2", "prefix": "private/x/", "delimiter": "/", "max-keys": "10"}
    assert checks("GET", "/b", query) == [
        ("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "private/x/", "s3:delimiter": "/", "s3:max-keys": "10"})
    ]
    assert checks("GET", "/b") == [("s3:ListBucket", "arn:aws:s3:::b", {})]
    assert checks("HEAD", "/b") == [("s3:ListBucket", "arn:aws:s3:::b", {})]
    assert checks("GET", "/b", {"versions": "", "prefix": "p/"}) == [
        ("s3:ListBucketVersions", "arn:aws:s3:::b", {"s3:prefix": "p/"})
    ]
    assert checks("GET", "/") == [("s3:ListAllMyBuckets", "*", {})]


def test_bucket_configuration_calls():
    assert checks("PUT", "/b") == [("s3:CreateBucket", "arn:aws:s3:::b", {})]
    assert checks("DELETE", "/b") == [("s3:DeleteBucket", "arn:aws:s3:::b", {})]
    assert checks("PUT", "/b", {"policy": ""}) == [("s3:PutBucketPolicy", "arn:aws:s3:::b", {})]
    assert checks("GET", "/b", {"location": ""}) == [("s3:GetBucketLocation", "arn:aws:s3:::b", {})]
    assert checks("DELETE", "/b", {"cors": ""}) == [("s3:PutBucketCORS", "arn:aws:s3:::b", {})]


def test_delete_objects_checks_every_key():
    body = (
        b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>'
        b"<Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>v2</VersionId></Object></Delete>"
    )
    assert parse_delete_objects(body) == [("a&b", None), ("c", "v2")]
    assert checks("POST", "/b", {"delete": ""}, body=body) == [
        ("s3:DeleteObject", "arn:aws:s3:::b/a&b", {}),
        ("s3:DeleteObjectVersion", "arn:aws:s3:::b/c", {"s3:versionid": "v2"}),
    ]
    assert parse_delete_objects(b"not xml") == []
