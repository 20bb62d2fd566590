"""Reading a distribution from its CloudFormation properties: origins by kind, behaviours in order,
path patterns as CloudFront matches them, origin groups and error responses."""

from __future__ import annotations

import pytest

from localcloud.edge.config import ConfigError, parse_distribution

ATTRS = {"Arn": "arn:aws:cloudfront::123456789012:distribution/E1", "DomainName": "d1.cloudfront.net"}


def distribution(**config):
    base = {
        "Origins": [
            {"Id": "site", "DomainName": "site-bucket.s3.us-east-1.amazonaws.com", "OriginAccessControlId": "OAC1",
             "S3OriginConfig": {"OriginAccessIdentity": ""}},
            {"Id": "api", "DomainName": "abc123.execute-api.us-east-1.amazonaws.com", "OriginPath": "/v1/",
             "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}},
            {"Id": "legacy", "DomainName": "updates.example.com", "OriginCustomHeaders": [
                {"HeaderName": "X-Secret", "HeaderValue": "s3cret"}],
             "CustomOriginConfig": {"OriginProtocolPolicy": "http-only", "HTTPPort": 8080, "OriginReadTimeout": 5}},
        ],
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6", "Compress": True},
        "CacheBehaviors": [
            {"PathPattern": "/api/*", "TargetOriginId": "api", "ViewerProtocolPolicy": "https-only",
             "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
             "ForwardedValues": {"QueryString": True}, "DefaultTTL": 0},
            {"PathPattern": "img/*.jp?g", "TargetOriginId": "legacy", "ViewerProtocolPolicy": "allow-all"},
        ],
        "DefaultRootObject": "index.html",
        "Aliases": ["Blog.Example.com"],
        "CustomErrorResponses": [{"ErrorCode": 404, "ResponseCode": 404, "ResponsePagePath": "/404.html"}],
    }  # fmt: skip
    base.update(config)
    return parse_distribution("Blog/Cdn", "E1", ATTRS, {"DistributionConfig": base})


def test_origins_are_told_apart_by_their_domain():
    d = distribution()
    site, api, legacy = d.origins["site"], d.origins["api"], d.origins["legacy"]
    assert (site.kind, site.bucket, site.oac_id) == ("s3", "site-bucket", "OAC1")
    assert (api.kind, api.api_id, api.path) == ("api", "abc123", "/v1")
    assert (legacy.kind, legacy.http_port, legacy.protocol_policy, legacy.read_timeout) == (
        "custom",
        8080,
        "http-only",
        5,
    )
    assert legacy.custom_headers == (("X-Secret", "s3cret"),)


@pytest.mark.parametrize(
    ("path", "origin"),
    [
        ("/api/posts", "api"),
        ("/api/", "api"),
        ("/API/posts", "site"),  # case-sensitive
        ("/img/a.jpeg", "legacy"),
        ("/img/a.jpg", "site"),  # ? is exactly one character
        ("/img/sub/b.jpxg", "legacy"),  # * crosses slashes
        ("/index.html", "site"),
    ],
)
def test_behaviours_match_in_order_then_the_default(path, origin):
    assert distribution().behavior_for(path).target_origin_id == origin


def test_defaults_and_legacy_settings_are_kept():
    d = distribution()
    api = d.behavior_for("/api/x")
    assert api.cache_policy_id is None and api.legacy == {"ForwardedValues": {"QueryString": True}, "DefaultTTL": 0}
    assert "DELETE" in api.allowed_methods and api.cached_methods == {"GET", "HEAD"}
    assert d.default_behavior.compress and d.default_behavior.legacy is None
    assert d.default_root_object == "index.html" and d.aliases == ("blog.example.com",)
    assert d.error_responses[404].response_page_path == "/404.html" and d.error_responses[404].caching_min_ttl == 10


def test_origin_groups_read_their_quantity_items_lists():
    groups = {"Quantity": 1, "Items": [{
        "Id": "failover", "Members": {"Quantity": 2, "Items": [{"OriginId": "legacy"}, {"OriginId": "site"}]},
        "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
    }]}  # fmt: skip
    d = distribution(OriginGroups=groups, DefaultCacheBehavior={"TargetOriginId": "failover"})
    group = d.origin_groups["failover"]
    assert group.members == ("legacy", "site") and group.status_codes == {500, 503}


def test_a_behaviour_naming_an_unknown_origin_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown origin 'nowhere'"):
        distribution(DefaultCacheBehavior={"TargetOriginId": "nowhere"})
